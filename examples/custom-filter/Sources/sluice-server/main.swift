import DenyWord
import Filters
import Sluice

// UploadServer, knowing one more filter: same options, config and exit codes.
UploadServerMain.run(registry: .withDenyWord)
