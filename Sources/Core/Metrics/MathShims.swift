#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif

// Thin names for libm functions so that metric files need no platform imports.
@inline(__always) func libmExp(_ x: Double) -> Double { exp(x) }
@inline(__always) func libmLog(_ x: Double) -> Double { log(x) }
