import CLibXML2

/// Reads a page with libxml2's streaming (SAX2) parser and hands each element to `PageRules`
/// as the parser meets it: no tree is built or freed. The parser, and so every message and line
/// number, is the one `LibXML.parse` uses.
///
/// nil when the page holds something that only a tree reads the way the checks expect: a
/// reference to a declared or undeclared general entity, an entity or attribute-list
/// declaration, or an `xml:id` (whose checks the tree builder makes). `TreePageReader` then
/// reads it.
enum StreamingPageReader {
    static func scan(_ bytes: [UInt8]) -> PageScan? {
        let reader = Reader()
        defer { reader.slots.deallocate() }
        let wellFormed = LibXML.stream(bytes, name: "page", collector: reader) { sax in
            sax.pointee.startElementNs = { context, localName, _, uri, _, _, attributeCount, defaultedCount, attributes in
                guard let reader = Reader.of(context), let context, let localName else { return }
                reader.open(context.assumingMemoryBound(to: xmlParserCtxt.self), localName, uri,
                            Int(attributeCount - defaultedCount), attributes)
            }
            sax.pointee.endElementNs = { context, _, _, _ in
                guard let reader = Reader.of(context), let context, !reader.needsTree else { return }
                reader.rules.close()
                reader.listenForText(context.assumingMemoryBound(to: xmlParserCtxt.self))
            }
            // Text is wanted only inside the few elements whose text the checks read (see
            // `listenForText`).
            sax.pointee.characters = nil
            sax.pointee.ignorableWhitespace = nil
            sax.pointee.cdataBlock = nil
            sax.pointee.comment = nil
            sax.pointee.processingInstruction = nil
            sax.pointee.reference = { context, _ in Reader.of(context)?.stop(context) }
            sax.pointee.entityDecl = { context, _, _, _, _, _ in Reader.of(context)?.stop(context) }
            sax.pointee.attributeDecl = { context, _, _, _, _, _, _ in Reader.of(context)?.stop(context) }
        }
        if reader.needsTree { return nil }
        return reader.rules.finish(parserMessages: reader.messages, wellFormed: wellFormed,
                                   startsWithDoctype: bytes.starts(with: "<!DOCTYPE html>".utf8))
    }

    private final class Reader: ParseMessageCollector {
        var rules = PageRules()
        let slots = AttributeSlots(encodedAmpersands: true)
        var needsTree = false

        /// The reader whose parse calls back: `_private` is the collector `LibXML.stream` was
        /// given, which is this reader.
        static func of(_ context: UnsafeMutableRawPointer?) -> Reader? {
            guard let context, let reader = context.assumingMemoryBound(to: xmlParserCtxt.self).pointee._private else { return nil }
            return Unmanaged<Reader>.fromOpaque(reader).takeUnretainedValue()
        }

        /// Text, blanks and CDATA all count as an element's text. The parser is given the text
        /// callbacks only while an open element collects its text, so it skips the call for
        /// all other text; one function for text and blanks keeps it from looking for
        /// ignorable blanks.
        func listenForText(_ context: xmlParserCtxtPtr) {
            guard let sax = context.pointee.sax else { return }
            let text: charactersSAXFunc? = rules.wantsText ? Self.text : nil
            sax.pointee.characters = text
            sax.pointee.ignorableWhitespace = text
            sax.pointee.cdataBlock = text
        }

        private static let text: charactersSAXFunc = { context, characters, count in
            guard let reader = Reader.of(context), !reader.needsTree, let characters else { return }
            reader.rules.text(UnsafeBufferPointer(start: characters, count: Int(count)))
        }

        func stop(_ context: UnsafeMutableRawPointer?) {
            needsTree = true
            if let context { xmlStopParser(context.assumingMemoryBound(to: xmlParserCtxt.self)) }
        }

        func open(_ context: xmlParserCtxtPtr, _ localName: UnsafePointer<xmlChar>, _ uri: UnsafePointer<xmlChar>?,
                  _ count: Int, _ attributes: UnsafeMutablePointer<UnsafePointer<xmlChar>?>?) {
            if needsTree { return }
            let namespace = sitegen_uri_code(uri)
            let isSVG = namespace == SITEGEN_NS_SVG
            let tag = namespace == SITEGEN_NS_XHTML || isSVG ? sitegen_tag_code(localName) : SITEGEN_TAG_OTHER
            let flags = sitegen_sax_attributes(Int32(count), attributes, slots.starts, slots.ends, isSVG ? 1 : 0)
            if flags & SITEGEN_SAX_NEEDS_TREE != 0 {
                stop(UnsafeMutableRawPointer(context))
                return
            }
            // The tree builder gives an element the line the parser is on when the start tag ends.
            let line = max(Int(context.pointee.input?.pointee.line ?? 1), 1)
            defer { listenForText(context) }
            rules.open(namespace: namespace, tag: tag, line: line, attributes: slots,
                       mayHaveCSSAttributes: flags & SITEGEN_SAX_SVG_CSS != 0) {
                // Attributes without a namespace but style, in order (five pointers each).
                guard let attributes else { return [] }
                return (0..<count).compactMap { index -> String? in
                    let a = attributes + 5 * index
                    guard a[2] == nil, let name = a[0], let start = a[3], let end = a[4],
                          String(cString: name) != "style" else { return nil }
                    return AttributeSlots.decoded(UnsafeBufferPointer(start: start, count: end - start), encodedAmpersands: true)
                }
            }
        }
    }
}

/// Reads a page by parsing it into a tree (`LibXML.parse`) and walking the tree in document
/// order, for the pages `StreamingPageReader` leaves: entity references count with the
/// entity's text, as `xmlNodeGetContent` counts them.
enum TreePageReader {
    static func scan(_ bytes: [UInt8]) -> PageScan {
        let outcome = LibXML.parse(bytes, name: "page")
        let walker = Walker()
        defer { walker.deallocate() }
        if outcome.wellFormed, let document = outcome.document, let root = document.root {
            withExtendedLifetime(document) { walker.visit(root) }
        }
        return walker.rules.finish(parserMessages: outcome.messages, wellFormed: outcome.wellFormed,
                            startsWithDoctype: bytes.starts(with: "<!DOCTYPE html>".utf8))
    }

    private final class Walker {
        var rules = PageRules()
        let slots = AttributeSlots(encodedAmpersands: false)
        /// The current element's attributes by SITEGEN_ATTR_* code (reused for every element).
        let attributes = UnsafeMutablePointer<UnsafePointer<xmlAttr>?>.allocate(capacity: Int(SITEGEN_ATTR_COUNT))

        func deallocate() {
            slots.deallocate()
            attributes.deallocate()
        }

        func visit(_ node: xmlNodePtr) {
            let namespace = sitegen_ns_code(node.pointee.ns)
            let isSVG = namespace == SITEGEN_NS_SVG
            let tag = namespace == SITEGEN_NS_XHTML || isSVG ? sitegen_tag_code(node.pointee.name) : SITEGEN_TAG_OTHER
            let svgCSS = sitegen_collect_attributes(node, attributes, isSVG ? 1 : 0) != 0
            // Each value as xmlGetNoNsProp gives it: the text node itself, or a string built
            // from the attribute's children (freed once the element is open).
            var built: [UnsafeMutablePointer<xmlChar>] = []
            defer { built.forEach { sitegen_xmlFree($0) } }
            for code in 0..<Int(SITEGEN_ATTR_COUNT) {
                slots.starts[code] = nil
                slots.ends[code] = nil
                guard let attribute = attributes[code] else { continue }
                var value: UnsafePointer<xmlChar>? = nil
                if sitegen_attr_direct_value(attribute, &value) == 0 {
                    value = nil
                    if let chars = xmlNodeListGetString(attribute.pointee.doc, attribute.pointee.children, 1) {
                        built.append(chars)
                        value = UnsafePointer(chars)
                    }
                }
                let bytes = Self.bytes(of: value ?? Self.emptyValue)
                slots.starts[code] = bytes.baseAddress
                slots.ends[code] = bytes.baseAddress.map { $0 + bytes.count }
            }
            let line = XMLNode.line(node)
            rules.open(namespace: namespace, tag: tag, line: line, attributes: slots, mayHaveCSSAttributes: svgCSS) {
                XMLNode.attributes(node).filter { $0.namespace == nil && $0.name != "style" }.map(\.value)
            }
            var child = node.pointee.children
            while let current = child {
                switch current.pointee.type {
                case XML_ELEMENT_NODE:
                    visit(current)
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = current.pointee.content { rules.text(Self.bytes(of: content)) }
                case XML_ENTITY_REF_NODE:
                    if let content = xmlNodeGetContent(current) {
                        rules.text(Self.bytes(of: content))
                        sitegen_xmlFree(content)
                    }
                default: break
                }
                child = current.pointee.next
            }
            rules.close()
        }

        /// The bytes of a NUL-terminated libxml2 string, without the NUL.
        private static func bytes(of text: UnsafePointer<xmlChar>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(start: text, count: strlen(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self)))
        }

        /// "" for the odd attribute whose value libxml2 gives as NULL.
        nonisolated(unsafe) private static let emptyValue: UnsafePointer<xmlChar> = {
            let value = UnsafeMutablePointer<xmlChar>.allocate(capacity: 1)
            value.initialize(to: 0)
            return UnsafePointer(value)
        }()
    }
}
