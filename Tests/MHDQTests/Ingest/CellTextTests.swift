import Testing
@testable import MHDQ
