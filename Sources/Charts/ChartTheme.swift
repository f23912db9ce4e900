/// Colours and type of a chart. Colours are CSS colour strings written into SVG presentation attributes.
public struct ChartTheme: Sendable, Hashable {
    /// Canvas background.
    public var background: String
    /// Title and legend text.
    public var text: String
    /// Axis labels, guide lines.
    public var mutedText: String
    /// Horizontal and vertical grid lines.
    public var grid: String
    /// The border of each pane.
    public var frame: String
    /// Candles, OHLC bars, volume bars and positive histogram bars of an up period (close ≥ open).
    public var up: String
    /// The same for a down period (close < open), and drawdown areas.
    public var down: String
    /// Line colours, used in order (overlays, then each pane's series from the start again), cycling.
    public var palette: [String]
    /// The `font-family` of all text.
    public var fontFamily: String

    public init(background: String, text: String, mutedText: String, grid: String, frame: String, up: String, down: String,
                palette: [String], fontFamily: String = ChartTheme.defaultFontFamily) {
        self.background = background
        self.text = text
        self.mutedText = mutedText
        self.grid = grid
        self.frame = frame
        self.up = up
        self.down = down
        self.palette = palette.isEmpty ? [text] : palette
        self.fontFamily = fontFamily
    }

    public static let defaultFontFamily = "system-ui, -apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif"

    /// White background, teal up and red down.
    public static let light = ChartTheme(
        background: "#ffffff", text: "#131722", mutedText: "#5d6373", grid: "#e9ecf1", frame: "#c3c8d1",
        up: "#089981", down: "#f23645",
        palette: ["#2962ff", "#ff6d00", "#9c27b0", "#00897b", "#c79100", "#e91e63", "#546e7a", "#6d4c41"])

    /// Near-black background with brighter lines.
    public static let dark = ChartTheme(
        background: "#131722", text: "#d1d4dc", mutedText: "#8a90a0", grid: "#242936", frame: "#3a4050",
        up: "#26a69a", down: "#ef5350",
        palette: ["#5b9cff", "#ffa040", "#ce93d8", "#4db6ac", "#ffd54f", "#f06292", "#90a4ae", "#bcaaa4"])

    func color(_ index: Int) -> String { palette[index % palette.count] }
}
