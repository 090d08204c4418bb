import XCTest
@testable import LetheKernels

final class KernelSmokeTests: XCTestCase {
  func testModuleLoads() { XCTAssertTrue(true) }
}
