import Foundation

/// Lodestar's one chart renderer: a line chart as SVG, drawn on the server. Readable without colour
/// (series differ by line pattern and marker, and are named in a legend), with a title and a
/// description for screen readers; pages show the numbers in a table next to it.
public struct LineChart: Sendable {
    public enum Style: String, Sendable {
        /// Measured values: a solid line with round markers.
        case measured
        /// A projection or trend: a dashed line, no markers.
        case projected
        /// A target or threshold: a dotted horizontal line.
        case reference
    }

    public struct Series: Sendable {
        public var name: String
        public var style: Style
        public var points: [(x: Double, y: Double)]
        public init(name: String, style: Style, points: [(x: Double, y: Double)]) {
            self.name = name; self.style = style; self.points = points
        }
    }

    /// A unique id on the page, for the accessible title and description.
    public var id: String
    public var title: String
    public var description: String
    public var series: [Series]
    /// Labels along the x axis, at their x.
    public var xTicks: [(x: Double, label: String)]
    public var xRange: ClosedRange<Double>
    public var yRange: ClosedRange<Double>
    /// Appended to the y axis values ("%", " h").
    public var yUnit: String

    public init(id: String, title: String, description: String, series: [Series], xTicks: [(x: Double, label: String)],
                xRange: ClosedRange<Double>, yRange: ClosedRange<Double>, yUnit: String) {
        self.id = id; self.title = title; self.description = description; self.series = series
        self.xTicks = xTicks; self.xRange = xRange; self.yRange = yRange; self.yUnit = yUnit
    }

    static let width = 640.0, height = 240.0
    static let left = 48.0, right = 12.0, top = 12.0, bottom = 52.0

    /// The SVG element, sized by its container (it has a viewBox and no fixed width).
    public func svg() -> String {
        let plotWidth = Self.width - Self.left - Self.right, plotHeight = Self.height - Self.top - Self.bottom
        let xSpan = max(xRange.upperBound - xRange.lowerBound, 1e-9), ySpan = max(yRange.upperBound - yRange.lowerBound, 1e-9)
        func px(_ x: Double) -> String { Self.number(Self.left + (x - xRange.lowerBound) / xSpan * plotWidth) }
        func py(_ y: Double) -> String {
            let clamped = min(max(y, yRange.lowerBound), yRange.upperBound)
            return Self.number(Self.top + plotHeight - (clamped - yRange.lowerBound) / ySpan * plotHeight)
        }
        var out = "<svg class=\"chart\" viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" xmlns=\"http://www.w3.org/2000/svg\">"
        out += "<title id=\"\(id)-title\">\(Self.escape(title))</title><desc id=\"\(id)-desc\">\(Self.escape(description))</desc>"
        // Grid and y axis labels at round numbers.
        let yStep = Self.niceStep(ySpan / 4)
        var y = (yRange.lowerBound / yStep).rounded(.up) * yStep
        while y <= yRange.upperBound + 1e-9 {
            out += "<line class=\"chart-grid\" x1=\"\(Self.number(Self.left))\" x2=\"\(Self.number(Self.width - Self.right))\" y1=\"\(py(y))\" y2=\"\(py(y))\"/>"
            out += "<text class=\"chart-label\" x=\"\(Self.number(Self.left - 6))\" y=\"\(py(y))\" text-anchor=\"end\" dominant-baseline=\"middle\">\(Self.escape(Self.value(y) + yUnit))</text>"
            y += yStep
        }
        for tick in xTicks where xRange.contains(tick.x) {
            out += "<line class=\"chart-axis\" x1=\"\(px(tick.x))\" x2=\"\(px(tick.x))\" y1=\"\(Self.number(Self.top + plotHeight))\" y2=\"\(Self.number(Self.top + plotHeight + 4))\"/>"
            out += "<text class=\"chart-label\" x=\"\(px(tick.x))\" y=\"\(Self.number(Self.top + plotHeight + 16))\" text-anchor=\"middle\">\(Self.escape(tick.label))</text>"
        }
        out += "<line class=\"chart-axis\" x1=\"\(Self.number(Self.left))\" x2=\"\(Self.number(Self.width - Self.right))\" y1=\"\(Self.number(Self.top + plotHeight))\" y2=\"\(Self.number(Self.top + plotHeight))\"/>"
        for series in series where !series.points.isEmpty {
            let path = series.points.map { "\(px($0.x)),\(py($0.y))" }.joined(separator: " ")
            out += "<polyline class=\"chart-\(series.style.rawValue)\" fill=\"none\" points=\"\(path)\"/>"
            if series.style == .measured {
                for point in series.points {
                    out += "<circle class=\"chart-marker\" cx=\"\(px(point.x))\" cy=\"\(py(point.y))\" r=\"3.5\"/>"
                }
            }
        }
        // Legend along the bottom: a sample of each line and its name.
        var legendX = Self.left
        let legendY = Self.height - 12
        for series in series {
            out += "<line class=\"chart-\(series.style.rawValue)\" x1=\"\(Self.number(legendX))\" x2=\"\(Self.number(legendX + 24))\" y1=\"\(Self.number(legendY))\" y2=\"\(Self.number(legendY))\"/>"
            if series.style == .measured { out += "<circle class=\"chart-marker\" cx=\"\(Self.number(legendX + 12))\" cy=\"\(Self.number(legendY))\" r=\"3.5\"/>" }
            out += "<text class=\"chart-legend\" x=\"\(Self.number(legendX + 30))\" y=\"\(Self.number(legendY))\" dominant-baseline=\"middle\">\(Self.escape(series.name))</text>"
            legendX += 40 + Double(series.name.count) * 6.5
        }
        return out + "</svg>"
    }

    /// A y range that holds every value, from zero (or below, for negative values) up to a round number.
    public static func range(containing values: [Double], cap: Double? = nil) -> ClosedRange<Double> {
        let low = min(0, values.min() ?? 0)
        var high = max(values.max() ?? 1, low + 1) * 1.05
        high = (high / niceStep((high - low) / 4)).rounded(.up) * niceStep((high - low) / 4)
        if let cap { high = min(high, max(cap, values.max() ?? cap)) }
        return low...high
    }

    /// 1, 2, 2.5 or 5 times a power of ten: the step of round axis labels.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let power = pow(10, (log10(rough)).rounded(.down))
        let scaled = rough / power
        return power * (scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 2.5 ? 2.5 : scaled <= 5 ? 5 : 10)
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    static func value(_ value: Double) -> String {
        abs(value - value.rounded()) < 0.05 ? String(Int(value.rounded())) : String(format: "%.1f", value)
    }

    static func escape(_ text: String) -> String { HTML.escape(text) }
}
