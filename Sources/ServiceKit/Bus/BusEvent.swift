import Foundation
import SQLKit

/// One event as stored on the bus.
public struct BusEvent: Sendable, Equatable {
    /// The global position of the event (increasing in commit order within a topic).
    public let sequence: Int64
    public let topic: String
    /// Events with the same key are delivered to a group one at a time, in order; `nil` means no ordering.
    public let key: String?
    /// Unique within the topic; consumers use it to recognise a redelivery.
    public let id: String
    public let payload: Data
    public let headers: [String: String]
    public let createdAt: Date

    /// Decodes a JSON payload (as published by ``EventBus/publish(topic:key:json:headers:eventID:)``).
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try BusCoding.decoder.decode(type, from: payload)
    }
}

/// What a publish did: the event's id and, unless an event with that id already existed, its sequence.
public struct BusReceipt: Sendable, Equatable {
    public let eventID: String
    /// `nil` when the topic already held an event with this id (the publish was a harmless repeat).
    public let sequence: Int64?
}

/// One delivery of an event to a consumer group.
public struct BusDelivery: Sendable {
    public let event: BusEvent
    public let group: String
    /// 1 on the first delivery; grows with each retry (and with each redelivery after a consumer died).
    public let attempt: Int
    /// The lease this delivery was claimed with (Unix ms), which identifies the claim: an acknowledgement or failure
    /// only counts while the event's lease is still this one (after a replay or an expired lease it is another's).
    var leaseUntil: Int64 = 0

    /// Whether this group has already handled the event; marks it handled otherwise. Call it inside the
    /// transaction that holds the handler's writes, so the mark commits or rolls back with them.
    public func alreadyProcessed(in sql: any SQLDatabase) async throws -> Bool {
        try await EventBus.alreadyProcessed(eventID: event.id, group: group, in: sql)
    }
}

/// Where a group resumes after a replay.
public enum BusPosition: Sendable {
    /// Every event of the topic is delivered again.
    case beginning
    /// Events with a sequence greater than this one are delivered again.
    case offset(Int64)
    /// Events created at or after this time are delivered again.
    case time(Date)
    /// Nothing already published is delivered; consumption continues with new events.
    case end
}

enum BusCoding {
    // Made per use: cheap, and keeps Foundation's coders out of shared mutable state.
    static var encoder: JSONEncoder { ServiceJSON.encoder() }
    static var decoder: JSONDecoder { ServiceJSON.decoder() }

    static func millis(_ date: Date = Date()) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }
}
