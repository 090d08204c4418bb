import Core
/// Placeholder namespace until the method contract lands.
public enum MethodsModule { }
