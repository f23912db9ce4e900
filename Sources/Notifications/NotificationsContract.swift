import HTTPTypes
import ServiceKit

/// The `notifications` service's operations, declared once. Alerts and inbox entries belong to their owner: another
/// user's id answers 404.
enum NotificationsContract {
    static let read = AccessPolicy.Requirement.scope(Scope.notificationsRead)
    static let write = AccessPolicy.Requirement.scope(Scope.notificationsWrite)
    static let alerts = "/api/v1/notifications/alerts"
    static let id = Endpoint.Parameter.path("id", .string, "The alert's or entry's id.")

    static let listAlerts = Endpoint(
        .get, alerts, access: read, summary: "The caller's alerts, oldest first.",
        responses: [.json(.ok, "Alerts.", .object([.init("items", .array(.ref(AlertSchema.self)))], required: ["items"]))])

    static let createAlert = Endpoint(
        .post, alerts, access: write, summary: "Create an alert on a symbol's bars (evaluated on each data.bars.stored).",
        description: """
            `source` is a number expression (docs/expressions.md; default close); `rule.condition` is one of TradingView's \
            conditions (docs/alerts.md) whose operands are numbers or expressions. A new alert starts after the latest bar.
            """,
        body: .json(.ref(AlertInputSchema.self)),
        responses: [.json(.created, "Created; Location names it.", .ref(AlertSchema.self), headers: ["Location": "The alert's URL."])],
        problems: [.badGateway, .serviceUnavailable, .gatewayTimeout])

    static let getAlert = Endpoint(
        .get, alerts + "/{id}", access: read, summary: "One alert with its state.", parameters: [id],
        responses: [.json(.ok, "The alert.", .ref(AlertSchema.self))], problems: [.notFound])

    static let updateAlert = Endpoint(
        .patch, alerts + "/{id}", access: write, summary: "Change an alert (a new symbol, source or rule starts it again after the latest bar).",
        parameters: [id], body: .json(.ref(AlertInputSchema.self)),
        responses: [.json(.ok, "The alert.", .ref(AlertSchema.self))], problems: [.notFound, .badGateway, .serviceUnavailable, .gatewayTimeout])

    static let deleteAlert = Endpoint(
        .delete, alerts + "/{id}", access: write, summary: "Delete an alert (its inbox entries stay).", parameters: [id],
        responses: [.empty(.noContent, "Deleted.")], problems: [.notFound])

    static let inbox = Endpoint(
        .get, "/api/v1/notifications/inbox", access: read, summary: "The caller's notifications, newest first, with the unread count.",
        parameters: [
            .query("unread", .boolean(default: false), "Only unread entries."),
            .query("limit", .integer(minimum: 1, maximum: 1000, default: 50)), .query("offset", .integer(minimum: 0, default: 0)),
        ],
        responses: [.json(.ok, "A page.", .object([
            .init("items", .array(.ref(InboxEntrySchema.self))), .init("total", .integer), .init("unread", .integer),
            .init("limit", .integer), .init("offset", .integer),
        ], required: ["items", "total", "unread", "limit", "offset"]))])

    static let markEntry = Endpoint(
        .patch, "/api/v1/notifications/inbox/{id}", access: write, summary: "Mark an entry read or unread.", parameters: [id],
        body: .json(.object([.init("read", .boolean)], required: ["read"])),
        responses: [.json(.ok, "The entry.", .ref(InboxEntrySchema.self))], problems: [.notFound])

    static let deleteEntry = Endpoint(
        .delete, "/api/v1/notifications/inbox/{id}", access: write, summary: "Delete an entry.", parameters: [id],
        responses: [.empty(.noContent, "Deleted.")], problems: [.notFound])

    static let all: [Endpoint] = [listAlerts, createAlert, getAlert, updateAlert, deleteAlert, inbox, markEntry, deleteEntry]
}

extension JSONSchema {
    static var alertRule: JSONSchema {
        .object([
            .init("condition", .object([
                .init("type", .string(enum: ["crossing", "crossingUp", "crossingDown", "greaterThan", "lessThan", "enteringChannel",
                                             "exitingChannel", "insideChannel", "outsideChannel", "movingUp", "movingDown"])),
                .init("level", .oneOf([.number, .string(maxLength: 1000)])), .init("lower", .oneOf([.number, .string(maxLength: 1000)])),
                .init("upper", .oneOf([.number, .string(maxLength: 1000)])), .init("amount", .number), .init("percent", .number),
                .init("bars", .integer(minimum: 1)),
            ], required: ["type"], description: "docs/alerts.md; an operand is a number or an expression")),
            .init("mode", .string(enum: ["once", "oncePerBar", "everyTime"])), .init("expires", .string(description: "a date or a date-time with a zone")),
            .init("cooldown_seconds", .number(minimum: 0)),
            .init("limit", .object([.init("count", .integer(minimum: 1)), .init("window_seconds", .number(exclusiveMinimum: 0))],
                                   required: ["count", "window_seconds"])),
        ], required: ["condition"])
    }
}

enum AlertInputSchema: ContractSchema {
    static let contractSchema = SchemaComponent("AlertInput", .object([
        .init("name", .string(minLength: 1, maxLength: 200)), .init("symbol", .string(maxLength: 40)),
        .init("source", .string(minLength: 1, maxLength: 1000, description: "a number expression; default close")),
        .init("rule", .alertRule), .init("active", .boolean),
    ], description: "A new alert needs name, symbol and rule; a PATCH names the fields it changes."))
}

enum AlertSchema: ContractSchema {
    static let contractSchema = SchemaComponent("Alert", .object([
        .init("id", .string), .init("owner", .string), .init("name", .string), .init("symbol", .string), .init("source", .string),
        .init("rule", .alertRule), .init("active", .boolean),
        .init("state", .object([
            .init("trigger_count", .integer), .init("last_triggered_bar", .date), .init("last_evaluated_bar", .date),
            .init("stopped", .string(enum: ["triggered", "expired", "tooManyTriggers"])),
        ], required: ["trigger_count"])),
        .init("created_at", .dateTime), .init("updated_at", .dateTime),
    ], required: ["id", "owner", "name", "symbol", "source", "rule", "active", "state", "created_at", "updated_at"]))
}

enum InboxEntrySchema: ContractSchema {
    static let contractSchema = SchemaComponent("InboxEntry", .object([
        .init("id", .string), .init("alert_id", .string), .init("kind", .string), .init("title", .string),
        .init("body", .any(description: "for alerts: the alerts.triggered event")), .init("created_at", .dateTime), .init("read", .boolean),
    ], required: ["id", "kind", "title", "body", "created_at", "read"]))
}
