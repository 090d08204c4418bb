import Core

/// `lethe.method{...}`'s table: a Lua unlearning method's name, summary, options and functions.
struct MethodDefinition: OptionConfigurable {
  /// The registered name.
  var name: String?
  /// One line saying what it does.
  var summary = ""

  static let optionOwner = "lethe.method"
  static let options: [Option<MethodDefinition>] = [
    .field("name", \.name, doc: "the method's name", required: true),
    .field("summary", \.summary, doc: "one line saying what it does"),
    .host("options", .table, doc: "{{name, default, doc}, ...}"),
    .host("prepare", .function, doc: "prepare(opts) -> hooks | nil, before M0 trains"),
    .host("unlearn", .function, doc: "unlearn(ctx) -> notes | nil", required: true),
  ]
}
