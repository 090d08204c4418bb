import CLua
import Core
import XCTest

@testable import Host

final class BridgeTests: XCTestCase {
  func testArgumentErrorsReadLikeLuas() throws {
    let lua = try CapturedVM()
    try lua.vm.run("a = lethe.tensor.ones(2, 2)")
    XCTAssertEqual(
      lua.errorLine(of: "lethe.tensor.matmul(a, nil)"),
      "test:1: bad argument #2 to 'matmul' (lethe.Tensor expected, got nil)")
    // A method call counts self out, as Lua's own luaL_argerror does.
    XCTAssertEqual(
      lua.errorLine(of: "a:matmul(3)"),
      "test:1: bad argument #1 to 'matmul' (lethe.Tensor expected, got number)")
    XCTAssertEqual(
      lua.errorLine(of: "lethe.tensor.zeros('x')"),
      "test:1: bad argument #1 to 'zeros' (number expected, got string)")
    XCTAssertEqual(
      lua.errorLine(of: "lethe.tensor.zeros(1.5)"),
      "test:1: bad argument #1 to 'zeros' (number has no integer representation)")
    XCTAssertEqual(
      lua.errorLine(of: "lethe.nn.cnn{input = {1, 28, 28}, classes = 'ten'}"),
      "test:1: bad argument #1 to 'cnn' (field 'classes': number expected, got string)")
    // __name of another lethe class appears in "got ...".
    XCTAssertEqual(
      lua.errorLine(of: "lethe.tensor.matmul(a, lethe.nn.ReLU())"),
      "test:1: bad argument #2 to 'matmul' (lethe.Tensor expected, got lethe.Module)")
    // Errors thrown by Core carry the position and Core's message.
    let shape = lua.errorLine(of: "local b = lethe.tensor.ones(3, 5); return a:matmul(b)")
    XCTAssertTrue(shape?.hasPrefix("test:1: ") ?? false, shape ?? "no error")
    XCTAssertTrue(shape?.contains("shape") ?? false, shape ?? "no error")
  }

  func testObjectsDoNotOutliveCollectionOrClose() throws {
    let baseline = LiveObjects.count
    weak var weakModel: Module?
    weak var weakTensor: Variable?
    do {
      let lua = try CapturedVM()
      try lua.vm.run(
        """
        local m = lethe.nn.mlp{input = {4}, classes = 2}
        local t = lethe.tensor.ones(3, 4)
        for i = 1, 100 do local y = m(t):sum(); y:backward() end
        keep = lethe.tensor.zeros(2)
        keepModel = lethe.nn.Linear(2, 2)
        """)
      lua.vm.collectGarbage()
      lua.vm.collectGarbage()
      XCTAssertEqual(LiveObjects.count, baseline + 2, "only the two globals stay alive")
      try lua.vm.run("return keepModel, keep")
      let L = lua.vm.L
      lua_getglobal(L, "keepModel")
      weakModel = LuaObjects.test(L, -1, moduleClass)
      lua_getglobal(L, "keep")
      weakTensor = LuaObjects.test(L, -1, tensorClass)
      clua_pop(L, 2)
      XCTAssertNotNil(weakModel)
      lua.vm.close()
      XCTAssertEqual(LiveObjects.count, baseline)
    }
    XCTAssertNil(weakModel, "the module outlived lua_close")
    XCTAssertNil(weakTensor, "the tensor outlived lua_close")
  }

  /// Big tensors charge Lua's collector for their memory: a loop that drops them frees them as
  /// it goes, without any explicit collectgarbage().
  func testBigTensorsAreCollectedDuringALoop() throws {
    let lua = try CapturedVM()
    try lua.vm.run("x = lethe.tensor.ones(500, 500):requires_grad(true)")
    let baseline = LiveObjects.count
    try lua.vm.run("for i = 1, 100 do local y = (x * 2):sum() end")
    XCTAssertLessThan(LiveObjects.count - baseline, 40, "200 dropped tensors should mostly be collected")
  }

  func testSwappedMetatablesNeitherConfuseTypesNorLeak() throws {
    let baseline = LiveObjects.count
    do {
      let lua = try CapturedVM()
      let message = lua.errorLine(of: """
        local m = lethe.nn.Linear(2, 2)
        debug.setmetatable(m, getmetatable(lethe.tensor.ones(1)))
        keep = m
        return lethe.tensor.matmul(m, m)
        """)
      XCTAssertEqual(
        message,
        "test:4: bad argument #1 to 'matmul' (lethe.Tensor expected, got userdata with its metatable)")
      lua.vm.close()
    }
    XCTAssertEqual(LiveObjects.count, baseline, "the module behind the tensor metatable was released")
  }

  func testGcMetamethodCannotBeAbused() throws {
    let lua = try CapturedVM()
    // Calling __gc by hand releases once; the object then reads as closed, never as freed memory.
    let message = lua.errorLine(
      of: """
        local t = lethe.tensor.ones(2)
        local gc = getmetatable(t).__gc
        gc(t); gc(t); gc(io.stdout); gc(5)
        return t:sum()
        """)
    XCTAssertEqual(message, "test:4: calling 'sum' on bad self (lethe.Tensor already released by __gc)")
  }

  func testErrorsInNestedSwiftLuaSwiftCalls() throws {
    let lua = try CapturedVM()
    // Swift (no_grad) -> Lua -> Swift (matmul) raising a bad-argument error.
    let inner = lua.error(
      of: """
        lethe.tensor.no_grad(function() return lethe.tensor.matmul(lethe.tensor.ones(2, 2), nil) end)
        """)
    XCTAssertTrue(inner?.hasPrefix("test:1: bad argument #2 to 'matmul'") ?? false, inner ?? "no error")
    // Nested twice, with a Lua error in the middle, caught by pcall in Lua.
    try lua.vm.run(
      """
      local T = lethe.tensor
      local ok, e = pcall(T.no_grad, function()
        return T.no_grad(function() error("deep") end)
      end)
      assert(not ok and e:find("deep"), e)
      assert(T.is_grad_enabled(), "grad mode restored after the error")
      local ok2, v = pcall(T.no_grad, function(a, b) return a + b end, 2, 3)
      assert(ok2 and v == 5)
      """)
    // Error objects that are not strings survive a Swift frame as messages.
    let object = lua.error(of: "lethe.tensor.no_grad(function() error({code = 1}) end)")
    XCTAssertNotNil(object)
    // The state is usable afterwards.
    XCTAssertEqual(try lua.vm.run("return 1 + 1"), ["2"])
  }

  func testIndexingIsOneBased() throws {
    let lua = try CapturedVM()
    try lua.vm.run(
      """
      local t = lethe.tensor{{1, 2, 3}, {4, 5, 6}}
      assert(#t == 2)
      assert(t[1][1] == 1 and t[2][3] == 6 and t[-1][-1] == 6)
      assert(t:get(2, 1) == 4)
      local s = t[{2, 2}]
      assert(s:shape()[1] == 1 and s:get(1, 3) == 6)
      assert(t:slice(2, 2, 3):get(1, 1) == 2)
      assert(t:sum(2):get(2) == 15)
      assert(t:argmax(2):get(1) == 3)
      assert(t:transpose(1, 2):shape()[1] == 3)
      t:set(1, 1, 10)
      assert(t:get(1, 1) == 10)
      local ok, e = pcall(function() return t[3] end)
      assert(not ok and e:find("position 3 out of range 1..2"), e)
      """)
  }

  func testAutogradThroughLua() throws {
    let lua = try CapturedVM()
    try lua.vm.run(
      """
      local T = lethe.tensor
      local x = T.new({{1, 2}, {3, 4}}, {requires_grad = true})
      local y = (x * x + 2 * x):sum()
      y:backward()
      local g = x:grad()
      assert(g:get(1, 1) == 4 and g:get(2, 2) == 10)
      local z = T.no_grad(function() return x * 3 end)
      assert(not z:requires_grad())
      """)
  }

  func testHelpDescribesBindings() throws {
    let lua = try CapturedVM()
    try lua.vm.run("lethe.help(lethe.tensor.matmul); lethe.help(lethe.nn.cnn{input={1,8,8}, classes=2})")
    XCTAssertTrue(lua.output.contains("lethe.tensor.matmul: matmul(a, b) -> Tensor"), lua.output)
    XCTAssertTrue(lua.output.contains("m:summary("), lua.output)
  }
}
