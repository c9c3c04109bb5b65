import DenyWord
import FilterctlCommands
import Filters

// filterctl, knowing one more filter.
await FilterctlMain.run(registry: .withDenyWord)
