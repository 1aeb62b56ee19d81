import Testing
@testable import PageValidation
@Test func placeholderPageValidation() { #expect(1 == 1) }
