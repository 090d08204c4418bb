import Foundation

extension FileError {
  /// Any error as a user should read it: a Foundation file error as its path and plain reason
  /// (`/x/y.safetensors: no such file or folder`, never `Error Domain=NSCocoaErrorDomain Code=4 …`),
  /// any other error as its own description.
  public static func describe(_ error: Error) -> String {
    if let e = error as? FileError { return e.description }
    if let e = error as? POSIXError { return reason(errno: e.code.rawValue) }
    // Swift errors bridge to NSError too: only Foundation's own domains are file errors.
    guard type(of: error) is NSError.Type || error is CocoaError else { return "\(error)" }
    let ns = error as NSError
    guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
    let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    let reason = reason(of: error)
    return path.map { "\($0): \(reason)" } ?? reason
  }
}
