import Core
/// Placeholder until the Lua host lands.
public enum HostModule { }
