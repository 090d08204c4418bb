import XCTest
@testable import Methods

final class MethodsSmokeTests: XCTestCase {
  func testModuleLoads() { XCTAssertTrue(true) }
}
