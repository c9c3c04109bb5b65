import FilterctlCommands

await FilterctlMain.run()
