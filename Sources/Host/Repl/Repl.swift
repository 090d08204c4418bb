import CLua
import Foundation

/// The interactive loop, after `lua.c`: a line is tried as `return <line>` first so expressions
/// print; an incomplete chunk continues on a `>>` prompt; results print through `lethe._show`
/// (`tostring`, and plain tables as their contents: `[128, 9216]`); `_`
/// holds the last result; errors print with a traceback and the session goes on. Ctrl-C stops
/// the running command (Lua hook + the flag Swift loops poll) and, at a prompt, drops the line or
/// the pending chunk; end of input leaves.
public final class Repl {
  /// The Lua state the session runs in.
  public let vm: LuaVM
  private let reader: LineReader
  private let writeError: (String) -> Void

  /// A session over `vm` reading from `reader`; results go to `vm.context.write`, errors to
  /// `writeError` (standard error by default).
  public init(vm: LuaVM, reader: LineReader, writeError: ((String) -> Void)? = nil) {
    self.vm = vm
    self.reader = reader
    self.writeError =
      writeError ?? { text in
        var text = text
        text.withUTF8 { p in
          p.withMemoryRebound(to: CChar.self) { clua_write_stderr($0.baseAddress, $0.count) }
        }
      }
  }

  /// Runs until end of input.
  public func run() {
    while let statement = readStatement() {
      if statement.code.allSatisfy(\.isWhitespace) { continue }
      reader.remember(statement.text)
      execute(statement)
    }
  }

  /// A complete statement: the text typed, and the chunk to run (on the stack as a function).
  struct Statement {
    var text: String
    var code: String
  }

  /// Reads one statement, continuing on `>>` while the chunk is incomplete. The loaded function
  /// is left on the Lua stack (nothing is left when a syntax error was printed).
  func readStatement() -> Statement? {
    var first: String?
    while first == nil {
      first = reader.readLine(prompt: "> ")
      // Ctrl-C at the prompt abandons the line; only the end of input ends the session.
      if first == nil && !reader.takeInterrupt() { return nil }
    }
    guard var line = first else { return nil }
    if line.hasPrefix("=") { line = "return " + line.dropFirst() }
    let L = vm.L
    lua_settop(L, 0)
    // First try it as an expression.
    if (try? vm.load("return " + line, name: "=stdin")) != nil {
      return Statement(text: line, code: line)
    }
    var text = line
    while true {
      do {
        try vm.load(text, name: "=stdin")
        return Statement(text: text, code: text)
      } catch LuaError.load(let message) where message.hasSuffix("<eof>") {
        guard let more = reader.readLine(prompt: ">> ") else {
          // Ctrl-C at a continuation prompt drops the pending chunk; the end of input reports it.
          if !reader.takeInterrupt() { writeError(message + "\n") }
          lua_settop(L, 0)
          return Statement(text: text, code: "")
        }
        text += "\n" + more
      } catch {
        writeError("\(error)\n")
        return Statement(text: text, code: "")
      }
    }
  }

  /// Runs the function that `readStatement` loaded and prints its results.
  func execute(_ statement: Statement) {
    let L = vm.L
    guard lua_gettop(L) >= 1 else { return }
    clua_clear_interrupt(L)
    clua_install_sigint(L)
    defer {
      clua_restore_sigint()
      clua_clear_interrupt(L)
    }
    let base = lua_gettop(L)
    lua_pushcclosure(L, clua_traceback, 0)
    clua_insert(L, base)
    let status = clua_pcall(L, 0, CLUA_MULTRET, base)
    if status != LUA_OK {
      writeError(vm.popString() + "\n")
      lua_settop(L, 0)
      return
    }
    let top = lua_gettop(L)
    // As lua.c: printing needs a little room above a statement's results (up to a million).
    if top > base && lua_checkstack(L, 20) == 0 {
      writeError("too many results to print\n")
      lua_settop(L, 0)
      return
    }
    if top > base {
      var parts = [String]()
      for k in (base + 1)...top { parts.append(show(k)) }
      lua_pushvalue(L, base + 1)
      vm.setGlobal("_")
      vm.context.write(parts.joined(separator: "\t") + "\n")
    }
    lua_settop(L, 0)
  }

  /// The text for the value at stack index `i`: `lethe._show` (plain tables as their contents),
  /// or `tostring` when that is missing or fails.
  func show(_ i: Int32) -> String {
    let L = vm.L
    let index = lua_absindex(L, i)
    vm.pushGlobal("lethe")
    guard lua_type(L, -1) == LUA_TTABLE else {
      clua_pop(L, 1)
      return vm.describe(index)
    }
    lua_pushstring(L, "_show")
    lua_rawget(L, -2)
    clua_remove(L, -2)
    guard lua_type(L, -1) == LUA_TFUNCTION else {
      clua_pop(L, 1)
      return vm.describe(index)
    }
    lua_pushvalue(L, index)
    guard vm.protectedCall(nargs: 1, nresults: 1) == nil else { return vm.describe(index) }
    guard lua_type(L, -1) == LUA_TSTRING else {
      clua_pop(L, 1)
      return vm.describe(index)
    }
    return vm.popString()
  }

  /// Completion candidates for `word` (globals, `a.b` table fields, `obj:` methods).
  public func complete(_ word: String) -> [String] {
    let L = vm.L
    let top = lua_gettop(L)
    defer { lua_settop(L, top) }
    vm.pushGlobal("lethe")
    guard lua_type(L, -1) == LUA_TTABLE else { return [] }
    lua_pushstring(L, "_complete")
    lua_rawget(L, -2)
    guard lua_type(L, -1) == LUA_TFUNCTION else { return [] }
    lua_pushstring(L, word)
    guard vm.protectedCall(nargs: 1, nresults: 1) == nil, lua_type(L, -1) == LUA_TTABLE else { return [] }
    var out = [String]()
    let n = lua_rawlen(L, -1)
    for k in 0..<n {
      lua_rawgeti(L, -1, lua_Integer(k + 1))
      if let s = clua_tostring(L, -1) { out.append(String(cString: s)) }
      clua_pop(L, 1)
    }
    return out
  }
}
