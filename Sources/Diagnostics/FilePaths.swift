/// Paths joined and taken apart as sitegen names them in its messages (the rules of
/// Foundation's NSString, without its dependencies): no doubled or trailing slash.

/// `folder/name`; `name` alone when `folder` is "", and `folder` alone when `name` is "".
public func joinedPath(_ folder: String, _ name: String) -> String {
    if name.isEmpty { return folder }
    if folder.isEmpty { return name }
    return folder.hasSuffix("/") ? folder + name : folder + "/" + name
}

/// The folder `path` is in: "" for a bare name, "/" for a file at the root.
public func folderPart(of path: String) -> String {
    let path = withoutTrailingSlashes(path)
    guard path != "/", let slash = path.lastIndex(of: "/") else { return path == "/" ? "/" : "" }
    return slash == path.startIndex ? "/" : String(path[..<slash])
}

/// The last part of `path` (a file's or folder's own name); "/" for the root.
public func lastPart(of path: String) -> String {
    let path = withoutTrailingSlashes(path)
    guard path != "/", let slash = path.lastIndex(of: "/") else { return path }
    return String(path[path.index(after: slash)...])
}

private func withoutTrailingSlashes(_ path: String) -> String {
    var path = Substring(path)
    while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
    return String(path)
}
