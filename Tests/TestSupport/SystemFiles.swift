import Foundation

/// Real files of many kinds from the machine the tests run on, for checks that must hold on
/// whatever people upload: C headers, Python, Perl and JavaScript sources, shell scripts and
/// executables, documentation, configuration, XML, SVG and PNG icons, compressed manual pages.
public enum SystemFiles {
    public static let roots = [
        "/usr/include", "/usr/lib/python3", "/usr/share/perl", "/usr/share/perl5", "/usr/bin", "/usr/sbin",
        "/usr/share/doc", "/etc", "/usr/share/mime", "/usr/share/xml", "/usr/share/icons", "/usr/share/man",
        "/usr/share/nodejs", "/usr/lib/node_modules", "/usr/share/javascript", "/usr/share/X11",
        "/usr/share/misc", "/usr/lib/x86_64-linux-gnu", "/usr/share/fonts", "/usr/share/zoneinfo",
    ]

    /// Up to `perRoot` regular files of at most `maxBytes` from each root that exists, spread
    /// evenly over its files in path order (the same sample every run on one machine).
    public static func sample(perRoot: Int, maxBytes: Int = 512 << 10) -> [String] {
        roots.flatMap { root -> [String] in
            guard let walk = FileManager.default.enumerator(atPath: root) else { return [] }
            var files: [String] = []
            while let relative = walk.nextObject() as? String {
                let path = root + "/" + relative
                guard let attributes = walk.fileAttributes, attributes[.type] as? FileAttributeType == .typeRegular,
                      let size = attributes[.size] as? Int, size > 0, size <= maxBytes,
                      FileManager.default.isReadableFile(atPath: path) else { continue }
                files.append(path)
            }
            files.sort()
            guard files.count > perRoot else { return files }
            return (0..<perRoot).map { files[$0 * files.count / perRoot] }
        }
    }
}
