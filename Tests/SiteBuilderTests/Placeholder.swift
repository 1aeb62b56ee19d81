import Testing
@testable import SiteBuilder
@Test func placeholderSiteBuilder() { #expect(1 == 1) }
