import Foundation

/// A file-system operation that failed, told plainly: what was being done, to which path, and
/// why ("cannot write /x/cache.ldset: no space left on the device"). Build one from an `errno`
/// value or from any error Foundation's file APIs throw, so that no raw `NSError` dump
/// (`Error Domain=NSCocoaErrorDomain Code=4 …`) ever reaches a user.
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
  /// What was being done: "read", "write", "create the folder", "rename", ….
  public var action: String
  /// The file or folder involved.
  public var path: String
  /// Why it failed, in plain words.
  public var reason: String

  /// An error about `path`.
  public init(action: String, path: String, reason: String) {
    self.action = action
    self.path = path
    self.reason = reason
  }

  /// The failure `errno` code `code` describes.
  public init(action: String, path: String, errno code: Int32) {
    self.init(action: action, path: path, reason: FileError.reason(errno: code))
  }

  /// The failure a Foundation (or POSIX) error describes.
  public init(action: String, path: String, error: Error) {
    self.init(action: action, path: path, reason: FileError.reason(of: error))
  }

  /// "cannot write /x/y: no space left on the device".
  public var description: String { "cannot \(action) \(path): \(reason)" }

  /// A plain reason for an `errno` value; the common ones are worded for a user, the rest are
  /// the C library's text.
  public static func reason(errno code: Int32) -> String {
    switch code {
    case ENOSPC: return "no space left on the device"
    case EDQUOT: return "the disk quota is exhausted"
    case EFBIG: return "the file would exceed the largest size allowed"
    case EACCES, EPERM: return "permission denied"
    case EROFS: return "the file system is read-only"
    case ENOENT: return "no such file or folder"
    case ENOTDIR: return "a part of the path is not a folder"
    case EISDIR: return "is a folder"
    case EEXIST: return "already exists"
    case ENAMETOOLONG: return "the name is too long"
    case EMFILE, ENFILE: return "too many open files"
    case EIO: return "input/output error (a failing disk or a lost network mount)"
    default: return String(cString: strerror(code)).lowercased()
    }
  }

  /// A plain reason for any error a file operation throws: POSIX errors and Foundation's
  /// `NSError`s (through the POSIX error underneath when there is one, else by Cocoa code).
  public static func reason(of error: Error) -> String {
    if let e = error as? FileError { return e.reason }
    if let e = error as? POSIXError { return reason(errno: e.code.rawValue) }
    let ns = error as NSError
    if ns.domain == NSPOSIXErrorDomain { return reason(errno: Int32(ns.code)) }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError,
      underlying.domain == NSPOSIXErrorDomain
    {
      return reason(errno: Int32(underlying.code))
    }
    if ns.domain == NSCocoaErrorDomain {
      switch CocoaError.Code(rawValue: ns.code) {
      case .fileNoSuchFile, .fileReadNoSuchFile: return reason(errno: ENOENT)
      case .fileReadNoPermission, .fileWriteNoPermission: return reason(errno: EACCES)
      case .fileWriteOutOfSpace: return reason(errno: ENOSPC)
      case .fileWriteVolumeReadOnly: return reason(errno: EROFS)
      case .fileWriteFileExists: return reason(errno: EEXIST)
      case .fileReadTooLarge: return "the file is too large to read"
      case .fileReadCorruptFile: return "the file is damaged"
      case .fileWriteInvalidFileName: return "the name is not valid"
      default: break
      }
    }
    return "failed (\(ns.localizedDescription))"
  }
}
