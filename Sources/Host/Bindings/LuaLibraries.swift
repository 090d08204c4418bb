/// Every library of the Lua API. To add bindings, write a `LuaLibrary` in its own file and
/// add one line here.
public enum LuaLibraries {
  /// The libraries, installed in this order (later preludes see earlier ones).
  public static let all: [any LuaLibrary.Type] = [
    BaseLibrary.self,
    TensorLibrary.self,
    NNLibrary.self,
    FunctionalLibrary.self,
    OptimLibrary.self,
    DataBindings.self,
    TrainLibrary.self,
    MethodsLibrary.self,
    ExperimentLibrary.self,
    ReportLibrary.self,
    SurveyLibrary.self,
    MetricsLibrary.self,
    PreludeLibrary.self,
  ]
}
