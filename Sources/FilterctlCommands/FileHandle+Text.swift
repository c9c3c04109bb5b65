import Foundation

extension FileHandle {
    func write(_ text: String) { write(Data(text.utf8)) }
}
