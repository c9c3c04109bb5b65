import Sluice

// The server with the built-in filters. A build with filters of its own does the same with
// its registry (examples/custom-filter).
UploadServerMain.run()
