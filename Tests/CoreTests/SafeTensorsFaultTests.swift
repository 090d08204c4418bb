import Foundation
import XCTest

@testable import Core

/// Issue 17's safetensors faults: shapes whose byte count overflows (a trap, in building the
/// error message), every other header field at its limits, and files in PyTorch's pickle formats.
final class SafeTensorsFaultTests: XCTestCase {
  func withHeader(_ json: String, data: Int = 0) -> [UInt8] {
    let h = Array(json.utf8)
    return (0..<8).map { UInt8((h.count >> (8 * $0)) & 0xFF) } + h + [UInt8](repeating: 0, count: data)
  }

  func message(_ bytes: [UInt8]) -> String {
    do {
      _ = try SafeTensors.parse(bytes, name: "m.safetensors")
      return "parsed"
    } catch {
      XCTAssertTrue(error is SafeTensorsError, "\(type(of: error))")
      return "\(error)"
    }
  }

  func testShapesWhoseSizeOverflowsAreErrors() {
    // [2^62] F32 is 2^64 bytes: the count fits, count × 4 does not.
    let f32 = message(withHeader(#"{"x":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8]}}"#, data: 8))
    XCTAssertTrue(f32.contains("needs more than \(Int.max) bytes, offsets give 8"), f32)
    let i64 = message(withHeader(#"{"x":{"dtype":"I64","shape":[2305843009213693952],"data_offsets":[0,8]}}"#, data: 8))
    XCTAssertTrue(i64.contains("needs more than"), i64)
    for shape in ["[18446744073709551616]", "[1e30]", "[9223372036854775807,2]", "[true]", "[\"2\"]", "[2.5]"] {
      let m = message(withHeader(#"{"x":{"dtype":"F32","shape":\#(shape),"data_offsets":[0,8]}}"#, data: 8))
      XCTAssertTrue(m.contains("'x' has an invalid shape") || m.contains("impossibly large"), "\(shape): \(m)")
    }
    for offsets in ["[0,18446744073709551616]", "[-8,0]", "[9223372036854775807,9223372036854775807]", "[0]", "[0,8,16]"] {
      let m = message(withHeader(#"{"x":{"dtype":"F32","shape":[2],"data_offsets":\#(offsets)}}"#, data: 8))
      XCTAssertTrue(m.contains("data_offsets"), "\(offsets): \(m)")
    }
    XCTAssertTrue(message(withHeader(#"{"x":5}"#)).contains("'x' is not an object"))
    XCTAssertTrue(message(withHeader(#"{"__metadata__":{"a":"b"},"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}}"#, data: 4)) == "parsed")
  }

  func testPyTorchPicklesSayWhatTheyAreAndHowToConvert() {
    // torch.save's zip format: a zip whose first member is archive/data.pkl.
    let pickle: [UInt8] = [0x80, 0x02, 0x7D, 0x71, 0x00, 0x2E]  // protocol 2: {} .
    let pt = DataFixtures.zip([("archive/data.pkl", pickle), ("archive/version", Array("3\n".utf8))],
      deflate: false, zip64: false)
    for bytes in [pt, pickle + [UInt8](repeating: 0, count: 16)] {
      let m = message(bytes)
      XCTAssertTrue(m.hasPrefix("m.safetensors: "), m)
      XCTAssertTrue(m.contains("torch.save"), m)
      XCTAssertTrue(m.contains("safetensors.torch.save_file(model.state_dict()"), m)
      XCTAssertFalse(m.contains("implausible"), m)
    }
    XCTAssertTrue(message(pt).contains("a zip of pickles"))
    XCTAssertTrue(message(pickle).contains("pickle"))
    let npz = DataFixtures.zip([("a.npy", [1, 2, 3])], deflate: false, zip64: false)
    XCTAssertTrue(message(npz).contains("zip archive"))
    XCTAssertTrue(message(DataFixtures.gzip([1, 2, 3])).contains("gzip"))
    // A real safetensors file whose header length starts with 0x80 0x02 is still read.
    let padding = String(repeating: " ", count: 0x0280 - 2)
    let odd = withHeader("{}" + padding)
    XCTAssertEqual(odd[0], 0x80)
    XCTAssertEqual(odd[1], 0x02)
    XCTAssertEqual(message(odd), "parsed")
  }

  func testFileSystemErrorsArePlain() throws {
    XCTAssertThrowsError(try SafeTensors.read(path: "/nonexistent/x.safetensors")) {
      XCTAssertEqual("\($0)", "/nonexistent/x.safetensors: cannot read: no such file or folder")
    }
    XCTAssertThrowsError(try SafeTensors.write([], to: URL(fileURLWithPath: "/nonexistent/x.safetensors"))) {
      XCTAssertEqual("\($0)", "/nonexistent/x.safetensors: cannot write: no such file or folder")
    }
  }
}
