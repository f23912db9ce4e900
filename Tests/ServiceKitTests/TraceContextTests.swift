import Testing
@testable import ServiceKit

@Suite struct TraceContextTests {
    @Test func validTraceparentIsContinuedWithANewSpan() {
        let header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let trace = TraceContext.continuing(header)
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736")
        #expect(trace.parentSpanID == "00f067aa0ba902b7")
        #expect(trace.spanID != "00f067aa0ba902b7")
        #expect(trace.traceparent.hasPrefix("00-4bf92f3577b34da6a3ce929d0e0e4736-"))
        #expect(trace.traceparent.hasSuffix("-01"))
    }

    @Test(arguments: [
        "", "garbage", "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
    ])
    func malformedTraceparentStartsANewTrace(header: String) {
        #expect(TraceContext.parse(header) == nil)
        let trace = TraceContext.continuing(header)
        #expect(trace.parentSpanID == nil)
        #expect(trace.traceID.count == 32)
    }

    @Test func aNewTraceIsOneWellFormedHeaderWhosePartsReadBack() {
        let trace = TraceContext.start()
        let parts = trace.traceparent.split(separator: "-").map(String.init)
        #expect(parts.count == 4)
        #expect(parts[0] == "00" && parts[3] == "01")
        #expect(parts[1].count == 32 && parts[2].count == 16)
        let hex = (parts[1] + parts[2]).allSatisfy { $0.isLowercaseHex }
        #expect(hex)
        #expect(trace.traceID == parts[1] && trace.spanID == parts[2] && trace.flags == "01")
        #expect(TraceContext.start().traceID != trace.traceID)
    }

    @Test func aContextMadeOfPartsReadsThemBack() {
        let trace = TraceContext(traceID: "4bf92f3577b34da6a3ce929d0e0e4736", spanID: "00f067aa0ba902b7", parentSpanID: "b7ad6b7169203331",
                                 flags: "00")
        #expect(trace.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")
        #expect(trace.traceID == "4bf92f3577b34da6a3ce929d0e0e4736" && trace.spanID == "00f067aa0ba902b7" && trace.flags == "00")
        #expect(trace.parentSpanID == "b7ad6b7169203331")
        let empty = TraceContext(traceID: "", spanID: "", parentSpanID: nil, flags: "00")
        #expect(empty.traceID == "" && empty.spanID == "" && empty.flags == "00")
    }
}
