import CLua
import Foundation
import XCTest

@testable import Host

final class InterruptTests: XCTestCase {
  /// Interrupts the state of `lua` after `delay` seconds from another thread, as Ctrl-C would.
  func interrupt(_ lua: CapturedVM, after delay: Double) {
    let L = UInt(bitPattern: lua.vm.L)
    Thread.detachNewThread {
      Thread.sleep(forTimeInterval: delay)
      clua_interrupt(OpaquePointer(bitPattern: L))
    }
  }

  func testInterruptStopsAPureLuaLoopAndKeepsState() throws {
    let lua = try CapturedVM()
    try lua.vm.run("count = 0")
    interrupt(lua, after: 0.2)
    let start = Date()
    let message = lua.error(of: "while true do count = count + 1 end")
    XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    XCTAssertTrue(message?.contains("interrupted!") ?? false, message ?? "no error")
    clua_clear_interrupt(lua.vm.L)
    let count = try lua.vm.run("return count > 0")
    XCTAssertEqual(count, ["true"])
  }

  func testInterruptStopsTheSwiftTrainingLoopAtTheNextBatch() throws {
    let lua = try CapturedVM()
    try lua.vm.run(
      """
      lethe.seed(1)
      m = lethe.nn.mlp{input = {8}, classes = 2, hidden = {8}}
      local x = lethe.tensor.randn(64, 8)
      local y = {}
      for i = 1, 64 do y[i] = i % 2 end
      ds = lethe.data.from_tensors(x, y)
      opt = lethe.optim.sgd(m, {lr = 0.01})
      """)
    interrupt(lua, after: 0.3)
    let start = Date()
    let message = lua.error(
      of: """
        report = lethe.nn.fit(m, opt, ds, {epochs = 100000, batch_size = 8, progress = 'silent'})
        """)
    XCTAssertLessThan(Date().timeIntervalSince(start), 10)
    // Either the loop returned "cancelled" and the hook then stopped the chunk, or the hook did.
    XCTAssertTrue(message?.contains("interrupted!") ?? false, message ?? "no error")
    clua_clear_interrupt(lua.vm.L)
    // State intact: the model still works.
    XCTAssertEqual(try lua.vm.run("return m:accuracy(ds) >= 0"), ["true"])
  }
}
