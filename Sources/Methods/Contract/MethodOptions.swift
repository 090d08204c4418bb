import Core

/// A method's resolved options: Core's `ResolvedOptions` (the option vocabulary lives in
/// `Core/Options`, below every configuration that uses it).
public typealias MethodOptions = ResolvedOptions
