import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// An element of a parsed SVG document.
final class SVGNode {
    let name: String
    let attributes: [String: String]
    var children: [SVGNode] = []
    var text = ""

    init(name: String, attributes: [String: String]) {
        self.name = name
        self.attributes = attributes
    }

    /// All descendants (depth first, document order) named `name`, optionally with class `cls`.
    func all(_ name: String, class cls: String? = nil) -> [SVGNode] {
        var found: [SVGNode] = []
        for child in children {
            if child.name == name && (cls == nil || child.hasClass(cls!)) { found.append(child) }
            found += child.all(name, class: cls)
        }
        return found
    }

    func first(_ name: String, class cls: String? = nil) -> SVGNode? { all(name, class: cls).first }

    func hasClass(_ cls: String) -> Bool { (attributes["class"] ?? "").split(separator: " ").contains { $0 == cls } }

    /// A numeric attribute; a missing or unparsable one fails the test and reads as NaN.
    func number(_ attribute: String) -> Double {
        guard let text = attributes[attribute], let value = Double(text) else {
            Issue.record("<\(name)> has no numeric \(attribute): \(attributes)")
            return .nan
        }
        return value
    }

    func int(_ attribute: String) -> Int { Int(number(attribute)) }
}

/// Parses SVG text with Foundation's `XMLParser`; throws when the text is not well-formed XML.
struct SVGDocument {
    let root: SVGNode

    struct NotWellFormed: Error, CustomStringConvertible {
        let description: String
    }

    init(_ svg: String) throws {
        let builder = TreeBuilder()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else {
            throw NotWellFormed(description: "not well-formed XML: \(parser.parserError.map { "\($0)" } ?? "no root")")
        }
        self.root = root
    }

    /// The panes in document order with their y and x mappings.
    var panes: [PaneMapping] { root.all("g", class: "pane").map(PaneMapping.init) }

    func pane(_ name: String) -> PaneMapping? { panes.first { $0.name == name } }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var root: SVGNode?
        var stack: [SVGNode] = []

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            let node = SVGNode(name: elementName, attributes: attributes)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            stack.removeLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }
    }
}

/// A pane's mapping, read from its data attributes, implementing the formulas of docs/charts.md independently
/// of the renderer: y(v) = bottom − (f(v) − f(min)) / (f(max) − f(min)) · (bottom − top), f = ln or identity;
/// bar i is centred at x0 + (i + 0.5) · (x1 − x0) / n.
struct PaneMapping {
    let node: SVGNode
    let name: String
    let top, bottom, min, max, x0, x1: Double
    let n: Int
    let log: Bool

    init(_ node: SVGNode) {
        self.node = node
        name = node.attributes["data-name"] ?? ""
        top = node.number("data-top")
        bottom = node.number("data-bottom")
        min = node.number("data-min")
        max = node.number("data-max")
        x0 = node.number("data-x0")
        x1 = node.number("data-x1")
        n = node.int("data-n")
        log = node.attributes["data-scale"] == "log"
    }

    private func f(_ v: Double) -> Double { log ? Foundation.log(v) : v }
    private func fInverse(_ v: Double) -> Double { log ? exp(v) : v }

    func y(_ value: Double) -> Double { bottom - (f(value) - f(min)) / (f(max) - f(min)) * (bottom - top) }
    func value(atY y: Double) -> Double { fInverse(f(min) + (bottom - y) / (bottom - top) * (f(max) - f(min))) }
    var slot: Double { (x1 - x0) / Double(n) }
    func x(_ index: Int) -> Double { x0 + (Double(index) + 0.5) * slot }
    func center(start: Int, count: Int) -> Double { x0 + (Double(start) + Double(count) / 2) * slot }
    func index(atX x: Double) -> Int { Int(((x - x0) / slot - 0.5).rounded()) }

    /// How far a value read back from a 2-decimal pixel y can be from the true value at `value`.
    func valueTolerance(at value: Double) -> Double {
        let perPixel = log ? Swift.max(value, 1e-300) * (Foundation.log(max) - Foundation.log(min)) / (bottom - top)
            : (max - min) / (bottom - top)
        return 0.0051 * perPixel * 1.01
    }
}

/// Coordinates are written with two decimals.
let pixelTolerance = 0.0051

func expectPixel(_ actual: Double, _ expected: Double, _ what: @autoclosure () -> String, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(abs(actual - expected) <= pixelTolerance, "\(what()): \(actual) vs \(expected)", sourceLocation: sourceLocation)
}

/// Subpaths of an SVG path `d` as written by the charts (absolute M/L, relative `h`, `Z`).
func subpaths(_ d: String) -> [[(x: Double, y: Double)]] {
    var paths: [[(x: Double, y: Double)]] = []
    var command: Character = " "
    var numbers: [Double] = []
    var token = ""
    func flushNumber() {
        if !token.isEmpty { numbers.append(Double(token)!) }
        token = ""
    }
    func flushCommand() {
        flushNumber()
        switch command {
        case "M": paths.append([(numbers[0], numbers[1])])
        case "L": paths[paths.count - 1].append((numbers[0], numbers[1]))
        case "h":
            let last = paths[paths.count - 1].last!
            paths[paths.count - 1].append((last.x + numbers[0], last.y))
        default: break
        }
        numbers = []
    }
    for ch in d {
        if ch.isLetter {
            flushCommand()
            command = ch
        } else if ch == " " || ch == "," {
            flushNumber()
        } else {
            token.append(ch)
        }
    }
    flushCommand()
    return paths
}
