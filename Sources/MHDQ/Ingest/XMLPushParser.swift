// A streaming XML parser over libxml2's SAX2 push interface, locked down for untrusted input.

internal import CLibXML2

/// Receives parse events. Element and attribute names are local names (namespaces ignored:
/// transitional and strict OOXML use different namespace URIs for the same elements).
protocol XMLEventHandler: AnyObject {
    func startElement(_ name: XMLName, _ attributes: XMLAttributes)
    func endElement(_ name: XMLName)
    func characters(_ text: UnsafeBufferPointer<UInt8>)
}

/// A NUL-terminated name owned by libxml2, valid during the callback.
struct XMLName {
    let pointer: UnsafePointer<UInt8>

    @inline(__always) func `is`(_ name: StaticString) -> Bool { XMLName.equal(pointer, name) }

    @inline(__always) static func equal(_ p: UnsafePointer<UInt8>, _ name: StaticString) -> Bool {
        let n = name.utf8CodeUnitCount
        let s = name.utf8Start
        var i = 0
        while i < n {
            if p[i] != s[i] { return false }
            i += 1
        }
        return p[n] == 0
    }

    var string: String { String(cString: pointer) }
}

/// The attributes of a start tag: libxml2 gives five pointers per attribute
/// (local name, prefix, URI, value start, value end).
struct XMLAttributes {
    let base: UnsafeMutablePointer<UnsafePointer<UInt8>?>?
    let count: Int

    @inline(__always) func value(_ localName: StaticString) -> UnsafeBufferPointer<UInt8>? {
        guard let base else { return nil }
        var i = 0
        while i < count {
            let a = base + i * 5
            if let name = a[0], XMLName.equal(name, localName), let start = a[3], let end = a[4] {
                return UnsafeBufferPointer(start: start, count: end - start)
            }
            i += 1
        }
        return nil
    }

    /// The attribute's text, its `&` decoded (see `XMLEventList.decodeAmpersands`).
    func string(_ localName: StaticString) -> String? {
        value(localName).map(XMLEventList.decodeAmpersands)
    }

    /// Whether the attribute carries a namespace prefix (r:id rather than id).
    func isPrefixed(at i: Int) -> Bool { base.map { $0[i * 5 + 1] != nil } ?? false }
}

/// Feeds chunks of a document to libxml2 and turns its callbacks into `XMLEventHandler` calls.
///
/// Security: no network, no external DTD loading, no entity substitution, no huge-document
/// mode; any DOCTYPE is refused (workbook parts never have one), which stops entity
/// expansion attacks before they start; element depth is limited.
final class XMLPushParser {
    /// The handler owns the parser, so the reference back is unowned.
    unowned(unsafe) let handler: XMLEventHandler
    let location: SourceLocation
    let part: String
    let maxDepth: Int
    private var context: xmlParserCtxtPtr?
    private(set) var failure: MHDQError?
    private var libxmlMessage: String?
    private var libxmlLine = 0
    private let depth: UnsafeMutablePointer<Int>
    /// Set when the handler stopped on purpose (it has all it needs).
    private(set) var stoppedEarly = false

    private static let initialised: Void = { xmlInitParser() }()

    init(handler: XMLEventHandler, location: SourceLocation, part: String, maxDepth: Int = 64) {
        _ = XMLPushParser.initialised
        self.handler = handler
        self.location = location
        self.part = part
        self.maxDepth = maxDepth
        depth = .allocate(capacity: 1)
        depth.initialize(to: 0)
    }

    deinit {
        if let context { xmlFreeParserCtxt(context) }
        depth.deallocate()
    }

    var isStopped: Bool { stoppedEarly || failure != nil }

    /// Stops parsing: with an error, or (nil) because the handler is done.
    func stop(_ error: MHDQError?) {
        if let error, failure == nil { failure = error } else if error == nil { stoppedEarly = true }
        if let context { xmlStopParser(context) }
    }

    func feed(_ bytes: UnsafeRawBufferPointer) throws {
        try push(bytes.baseAddress, bytes.count, terminate: false)
    }

    func finish() throws {
        try push(nil, 0, terminate: true)
    }

    private func push(_ bytes: UnsafeRawPointer?, _ count: Int, terminate: Bool) throws {
        if isStopped { return }
        if context == nil { try createContext() }
        let rc = xmlParseChunk(context, bytes?.assumingMemoryBound(to: CChar.self), Int32(count), terminate ? 1 : 0)
        if let failure { throw failure }
        if stoppedEarly { return }
        if rc != 0 || libxmlMessage != nil {
            let detail = libxmlMessage ?? "error \(rc)"
            throw MHDQError.input("malformed XML in \(part) (line \(libxmlLine)): \(detail)", at: location)
        }
    }

    private func createContext() throws {
        var sax = xmlSAXHandler()
        sax.initialized = XML_SAX2_MAGIC
        // The callbacks borrow the parser and its handler without retaining them (they run per
        // element), and keep the depth count behind a pointer (no exclusivity check).
        sax.startElementNs = { ctx, localname, _, _, _, _, nAttributes, _, attributes in
            Unmanaged<XMLPushParser>.fromOpaque(ctx!)._withUnsafeGuaranteedRef { p in
                p.depth.pointee += 1
                if p.depth.pointee > p.maxDepth {
                    p.stop(MHDQError.input("\(p.part) nests elements more than \(p.maxDepth) deep (not a workbook part)", at: p.location))
                    return
                }
                p.handler.startElement(XMLName(pointer: localname!), XMLAttributes(base: attributes, count: Int(nAttributes)))
            }
        }
        sax.endElementNs = { ctx, localname, _, _ in
            Unmanaged<XMLPushParser>.fromOpaque(ctx!)._withUnsafeGuaranteedRef { p in
                p.depth.pointee -= 1
                p.handler.endElement(XMLName(pointer: localname!))
            }
        }
        let characters: charactersSAXFunc = { ctx, ch, len in
            Unmanaged<XMLPushParser>.fromOpaque(ctx!)._withUnsafeGuaranteedRef { p in
                p.handler.characters(UnsafeBufferPointer(start: ch, count: Int(len)))
            }
        }
        sax.characters = characters
        sax.ignorableWhitespace = characters
        sax.internalSubset = { ctx, _, _, _ in
            let p = Unmanaged<XMLPushParser>.fromOpaque(ctx!).takeUnretainedValue()
            p.stop(MHDQError.input("\(p.part) has a DOCTYPE declaration, which workbook files never have; refusing it (possible entity-expansion attack)", at: p.location))
        }
        sax.entityDecl = { ctx, _, _, _, _, _ in
            let p = Unmanaged<XMLPushParser>.fromOpaque(ctx!).takeUnretainedValue()
            p.stop(MHDQError.input("\(p.part) declares XML entities; refusing it (possible entity-expansion attack)", at: p.location))
        }
        sax.serror = { ctx, error in
            guard let ctx, let error else { return }
            let p = Unmanaged<XMLPushParser>.fromOpaque(ctx).takeUnretainedValue()
            guard p.libxmlMessage == nil, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
            var text = error.pointee.message.map { String(cString: $0) } ?? "unknown error"
            while text.last == "\n" || text.last == " " { text.removeLast() }
            p.libxmlMessage = text
            p.libxmlLine = Int(error.pointee.line)
        }
        let me = Unmanaged.passUnretained(self).toOpaque()
        guard let ctxt = xmlCreatePushParserCtxt(&sax, me, nil, 0, part) else {
            throw MHDQError.input("cannot start the XML parser for \(part)", at: location)
        }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOCDATA.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        xmlCtxtUseOptions(ctxt, options)
        context = ctxt
    }
}

/// Collects the events of a small part (workbook, relationships, styles) for simple walking.
final class XMLEventList: XMLEventHandler {
    enum Event {
        /// Local name and attributes keyed by local name.
        case start(String, [String: String])
        case end(String)
        case text(String)
    }

    private(set) var events: [Event] = []

    func startElement(_ name: XMLName, _ attributes: XMLAttributes) {
        var attrs: [String: String] = [:]
        if let base = attributes.base {
            for i in 0 ..< attributes.count {
                let a = base + i * 5
                guard let n = a[0], let s = a[3], let e = a[4] else { continue }
                attrs[String(cString: n)] = XMLEventList.decodeAmpersands(UnsafeBufferPointer(start: s, count: e - s))
            }
        }
        events.append(.start(name.string, attrs))
    }

    func endElement(_ name: XMLName) { events.append(.end(name.string)) }

    /// Without entity substitution libxml2 hands over an attribute's `&` (written `&amp;` or
    /// `&#38;`) as the text `&#38;`, so a sheet named "R&D" would read as "R&#38;D".
    static func decodeAmpersands(_ v: UnsafeBufferPointer<UInt8>) -> String {
        guard v.contains(0x26) else { return String(decoding: v, as: UTF8.self) }
        var out: [UInt8] = []
        out.reserveCapacity(v.count)
        var i = 0
        while i < v.count {
            if v[i] == 0x26, i + 5 <= v.count, v[i + 1] == 0x23, v[i + 2] == 0x33, v[i + 3] == 0x38, v[i + 4] == 0x3B {
                out.append(0x26)
                i += 5
            } else {
                out.append(v[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    func characters(_ text: UnsafeBufferPointer<UInt8>) {
        events.append(.text(String(decoding: text, as: UTF8.self)))
    }

    /// Parses a whole small document.
    static func parse(_ bytes: [UInt8], part: String, location: SourceLocation) throws -> [Event] {
        let list = XMLEventList()
        let parser = XMLPushParser(handler: list, location: location, part: part)
        try bytes.withUnsafeBytes { try parser.feed($0) }
        try parser.finish()
        return list.events
    }
}
