// UploadServer comes with its own issue; the Filters library it will use is in place.
print("UploadServer: not built yet")
