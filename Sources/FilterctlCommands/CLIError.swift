/// A problem with the command line or the files it names: a message and exit status 2.
struct CLIError: Error {
    var message: String
}
