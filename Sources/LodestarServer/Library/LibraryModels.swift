import Fluent
import Foundation
import LodestarCore

/// A resource in the practice library. `schoolId` nil: added by a district role, for every school. A teacher's
/// addition waits ("pending") until a leader of their school approves it.
final class LibraryItem: Model, @unchecked Sendable {
    static let schema = "library_items"
    static let approved = "approved", pending = "pending"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @OptionalField(key: "school_id") var schoolId: String?
    /// `LibraryEntry.Kind`.
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "url") var url: String
    @Field(key: "note") var note: String
    /// Indicator keys, standard ids and grade bands, comma-separated.
    @Field(key: "practices") var practices: String
    @Field(key: "standards") var standards: String
    @Field(key: "bands") var bands: String
    @OptionalField(key: "file_name") var fileName: String?
    /// `LibraryFileType`.
    @OptionalField(key: "file_type") var fileType: String?
    @OptionalField(key: "file_size") var fileSize: Int?
    @Field(key: "status") var status: String
    @Field(key: "added_by") var addedBy: String
    @Field(key: "added_at") var addedAt: Int
    @OptionalField(key: "approved_by") var approvedBy: String?
    @OptionalField(key: "approved_at") var approvedAt: Int?
    init() {}

    var practiceKeys: [String] { practices.split(separator: ",").map(String.init) }
    var standardIds: [String] { standards.split(separator: ",").map(String.init) }
    var bandList: [String] { bands.split(separator: ",").map(String.init) }
}

/// A file's bytes, apart from its item so lists never read them.
final class LibraryFile: Model, @unchecked Sendable {
    static let schema = "library_files"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "data") var data: Data
    init() {}
}

/// One person's saving (and rating, 1–5) of a resource; id "item|staff".
final class LibrarySave: Model, @unchecked Sendable {
    static let schema = "library_saves"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "item_id") var itemId: String
    @Field(key: "staff_id") var staffId: String
    @OptionalField(key: "rating") var rating: Int?
    @Field(key: "saved_at") var savedAt: Int
    init() {}
}

/// A resource shared with a teacher, with a note, often from a walkthrough's feedback.
final class LibraryShare: Model, @unchecked Sendable {
    static let schema = "library_shares"
    @ID(custom: "id", generatedBy: .user) var id: String?
    @Field(key: "item_id") var itemId: String
    @Field(key: "from_id") var fromId: String
    @Field(key: "to_id") var toId: String
    @Field(key: "note") var note: String
    @OptionalField(key: "walkthrough_id") var walkthroughId: String?
    @Field(key: "shared_at") var sharedAt: Int
    init() {}
}
