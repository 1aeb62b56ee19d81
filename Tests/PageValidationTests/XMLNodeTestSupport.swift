import CLibXML2
@testable import PageValidation

// Tree helpers that only the XPath oracle (XPathReferenceChecker.swift) uses: the checker
// itself reads pages as they stream by.
extension XMLNode {
    static func name(_ node: xmlNodePtr) -> String {
        node.pointee.name.map { String(cString: $0) } ?? ""
    }

    static func namespace(_ node: xmlNodePtr) -> String? {
        node.pointee.ns?.pointee.href.map { String(cString: $0) }
    }

    static func isElement(_ node: xmlNodePtr, _ localName: String, namespace ns: String) -> Bool {
        node.pointee.type == XML_ELEMENT_NODE && name(node) == localName && namespace(node) == ns
    }

    /// The value of a no-namespace attribute, or nil when absent.
    static func attribute(_ node: xmlNodePtr, _ attributeName: String) -> String? {
        guard let value = attributeName.withXMLChars({ xmlGetNoNsProp(node, $0) }) else { return nil }
        defer { sitegen_xmlFree(value) }
        return String(cString: value)
    }

    /// The concatenated text of the node and its descendants.
    static func text(_ node: xmlNodePtr) -> String {
        guard let chars = xmlNodeGetContent(node) else { return "" }
        defer { sitegen_xmlFree(chars) }
        return String(cString: chars)
    }
}

extension String {
    /// Calls `body` with the string as a NUL-terminated `xmlChar` (UTF-8) buffer.
    func withXMLChars<R>(_ body: (UnsafePointer<xmlChar>) -> R) -> R {
        let chars = Array(utf8) + [0]
        return chars.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
