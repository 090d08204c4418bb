import XCTest

@testable import Core

/// Cholesky and LU (LAPACK), conjugate gradient on a Hessian-vector operator, and L-BFGS, against
/// NumPy and against each other.
final class SecondOrderSolverTests: XCTestCase {
  let rhs = SecondOrderProblems.vector(5, salt: 32)

  func testCholeskyMatchesNumPy() throws {
    let a = try DenseMatrix(rows: 5, columns: 5, storage: SecondOrderReference.spdMatrix)
    let c = try CholeskyFactorization(a)
    XCTAssertLessThan(relativeError(c.lowerFactor.storage, SecondOrderReference.spdCholeskyLower), 1e-14)
    XCTAssertLessThan(relativeError(try c.solve(rhs), SecondOrderReference.spdSolve), 1e-13)
    XCTAssertLessThan(relativeError(c.inverse().storage, SecondOrderReference.spdInverse), 1e-13)
    XCTAssertEqual(c.logDeterminant, SecondOrderReference.spdLogDeterminant, accuracy: 1e-12)
    // Several right-hand sides at once: A⁻¹·A = I.
    let identity = try c.solve(a)
    XCTAssertLessThan(relativeError(identity.storage, DenseMatrix.identity(5).storage), 1e-13)
    XCTAssertGreaterThan(c.reciprocalCondition, 1e-3)
    XCTAssertLessThan(relativeError(try a.symmetricEigenvalues(), SecondOrderReference.spdEigenvalues), 1e-13)
  }

  func testLUMatchesNumPy() throws {
    let a = try DenseMatrix(rows: 5, columns: 5, storage: SecondOrderReference.generalMatrix)
    let lu = try LUFactorization(a)
    XCTAssertLessThan(relativeError(try lu.solve(rhs), SecondOrderReference.generalSolve), 1e-13)
    XCTAssertLessThan(relativeError(lu.inverse().storage, SecondOrderReference.generalInverse), 1e-13)
    XCTAssertEqual(lu.determinant, SecondOrderReference.generalDeterminant, accuracy: 1e-10)
    // LAPACK's estimate lies within a factor of 10 of the true ∞-norm condition number.
    let cond = 1 / lu.reciprocalCondition
    XCTAssertGreaterThan(cond, SecondOrderReference.generalConditionInf / 10)
    XCTAssertLessThan(cond, SecondOrderReference.generalConditionInf * 10)
    let b = try DenseMatrix([[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]])
    let x = try lu.solve(b)
    XCTAssertLessThan(relativeError(try a.times(x).storage, b.storage), 1e-13)
    XCTAssertLessThan(relativeError(try a.times(lu.inverse()).storage, DenseMatrix.identity(5).storage), 1e-13)
  }

  func testFactorisationsRejectBadMatrices() throws {
    let indefinite = try DenseMatrix([[1, 2], [2, 1]])
    XCTAssertThrowsError(try CholeskyFactorization(indefinite)) { error in
      XCTAssertTrue("\(error)".contains("leading 2×2 minor"), "\(error)")
    }
    XCTAssertThrowsError(try CholeskyFactorization(try DenseMatrix([[1, 2], [0, 1]]))) { error in
      XCTAssertTrue("\(error)".contains("symmetrize"), "\(error)")
    }
    let singular = try DenseMatrix([[1, 2], [2, 4]])
    XCTAssertThrowsError(try LUFactorization(singular)) { error in
      XCTAssertEqual(error as? SecondOrderError, .singular("2×2 matrix: U(2, 2) is exactly zero"))
    }
    let nearlySingular = try DenseMatrix([[1, 1], [1, 1 + 1e-17 * 4]])
    XCTAssertThrowsError(try LUFactorization(nearlySingular))
    XCTAssertThrowsError(try LUFactorization(try DenseMatrix([[1, .nan], [0, 1]])))
    XCTAssertThrowsError(try LUFactorization(try DenseMatrix(rows: 2, columns: 3)))
    XCTAssertThrowsError(try LUFactorization(DenseMatrix.identity(3)).solve([1, 2]))
    XCTAssertThrowsError(try DenseMatrix([[1, 2], [3]]))
    XCTAssertThrowsError(try DenseMatrix(rows: -1, columns: 2))
  }

  func testDenseProducts() throws {
    let a = try DenseMatrix([[1, 2, 3], [4, 5, 6]])
    XCTAssertEqual(try a.times([1, 0, -1]), [-2, -2])
    XCTAssertEqual(try a.times(a.transposed()).storage, [14, 32, 32, 77])
    XCTAssertThrowsError(try a.times(a))
    let t = Tensor(shape: [3, 2], storage: [1, 2, 3, 4, 5, 6])
    XCTAssertLessThan(relativeError(try DenseMatrix.gram(t, dividedBy: 3).storage, [35.0 / 3, 44.0 / 3, 44.0 / 3, 56.0 / 3]), 1e-15)
    XCTAssertEqual(DenseMatrix.outer([1, 2], [3, 4, 5]).storage, [3, 4, 5, 6, 8, 10])
    XCTAssertThrowsError(try a.symmetricEigenvalues())
    XCTAssertThrowsError(try DenseMatrix([[1, 2], [0, 1]]).symmetricEigenvalues())
  }

  /// CG on the logistic regression's finite-difference Hessian operator with damping λ
  /// matches the Cholesky solve of the exact damped Hessian within the operator's error.
  func testConjugateGradientOnHessianOperator() throws {
    let lr = try SecondOrderProblems.LogisticRegression()
    let subset = ParameterSubset(allOf: lr.model)
    let hvp = try HessianVectorProduct(objective: SubsetObjective(subset: subset, loss: lr.loss))
    let b = SecondOrderProblems.vector(7, salt: 60)
    let damping = 0.1
    let result = try ConjugateGradient.solve({ try hvp($0) }, b, damping: damping, tolerance: 1e-10)
    XCTAssertEqual(result.status, .converged)
    XCTAssertLessThanOrEqual(result.iterations, 14)
    var h = lr.exactHessian()
    h.addToDiagonal(damping)
    let exact = try CholeskyFactorization(h).solve(b)
    XCTAssertLessThan(relativeError(result.solution, exact), 1e-4)
  }

  func testConjugateGradientStops() throws {
    let a = try DenseMatrix([[4, 1, 0], [1, 3, 1], [0, 1, 2]])
    let b: [Double] = [1, 2, 3]
    let exact = try CholeskyFactorization(a).solve(b)
    let r = try ConjugateGradient.solve({ try a.times($0) }, b, tolerance: 1e-12)
    XCTAssertEqual(r.status, .converged)
    XCTAssertLessThanOrEqual(r.iterations, 3)  // exact in n steps
    XCTAssertLessThan(relativeError(r.solution, exact), 1e-12)
    let capped = try ConjugateGradient.solve({ try a.times($0) }, b, maxIterations: 1)
    XCTAssertEqual(capped.status, .maxIterations)
    let warm = try ConjugateGradient.solve({ try a.times($0) }, b, tolerance: 1e-12, initial: exact)
    XCTAssertEqual(warm.iterations, 1)
    let indefinite = try DenseMatrix([[1, 0], [0, -1]])
    XCTAssertEqual(try ConjugateGradient.solve({ try indefinite.times($0) }, [0, 1]).status, .negativeCurvature)
    // Damping makes it positive definite: (A + 2I) = diag(3, 1).
    let damped = try ConjugateGradient.solve({ try indefinite.times($0) }, [3, 1], damping: 2)
    XCTAssertLessThan(relativeError(damped.solution, [1, 1]), 1e-12)
    XCTAssertThrowsError(try ConjugateGradient.solve({ _ in [1] }, b))
    XCTAssertThrowsError(try ConjugateGradient.solve({ $0 }, b, damping: -1))
  }

  func lbfgsPairs() -> [([Double], [Double])] {
    (0..<3).map {
      (Array(SecondOrderReference.lbfgsSteps[($0 * 6)..<($0 * 6 + 6)]),
       Array(SecondOrderReference.lbfgsGradientChanges[($0 * 6)..<($0 * 6 + 6)]))
    }
  }

  /// With m = 2 of 3 pairs, both products equal the dense BFGS recursion from σI, for both
  /// choices of σ.
  func testLBFGSMatchesDenseBFGS() throws {
    let v = SecondOrderProblems.vector(6, salt: 49)
    let cases: [(LBFGSMemory.InitialScaling, [Double], [Double])] = [
      (.stepCurvature, SecondOrderReference.lbfgsStepCurvatureB, SecondOrderReference.lbfgsStepCurvatureH),
      (.gradientCurvature, SecondOrderReference.lbfgsGradientCurvatureB, SecondOrderReference.lbfgsGradientCurvatureH),
    ]
    for (scaling, b, h) in cases {
      var memory = try LBFGSMemory(capacity: 2, scaling: scaling)
      for (s, y) in lbfgsPairs() { XCTAssertTrue(try memory.append(step: s, gradientChange: y)) }
      XCTAssertEqual(memory.count, 2)
      XCTAssertLessThan(relativeError(try memory.hessianTimes(v), b), 1e-12, "\(scaling) B·v")
      XCTAssertLessThan(relativeError(try memory.inverseHessianTimes(v), h), 1e-12, "\(scaling) H·v")
      // Secant condition for the newest pair, and H = B⁻¹.
      let (s, y) = lbfgsPairs()[2]
      XCTAssertLessThan(relativeError(try memory.hessianTimes(s), y), 1e-12)
      XCTAssertLessThan(relativeError(try memory.inverseHessianTimes(y), s), 1e-12)
      XCTAssertLessThan(relativeError(try memory.hessianTimes(try memory.inverseHessianTimes(v)), v), 1e-12)
    }
  }

  func testLBFGSRejectsPairsWithoutCurvature() throws {
    var memory = try LBFGSMemory()
    XCTAssertEqual(try memory.hessianTimes([1, 2]), [1, 2])
    XCTAssertFalse(try memory.append(step: [1, 0], gradientChange: [-1, 0]))
    XCTAssertFalse(try memory.append(step: [1, 0], gradientChange: [0, 1]))
    XCTAssertEqual(memory.count, 0)
    XCTAssertTrue(try memory.append(step: [1, 0], gradientChange: [2, 0]))
    XCTAssertThrowsError(try memory.append(step: [1, 0, 0], gradientChange: [2, 0, 0]))
    XCTAssertThrowsError(try memory.append(step: [1, .nan], gradientChange: [2, 0]))
    XCTAssertThrowsError(try memory.hessianTimes([1]))
    XCTAssertThrowsError(try LBFGSMemory(capacity: 0))
    memory.removeAll()
    XCTAssertEqual(memory.count, 0)
  }
}
