package tensor

// SetScanCompile switches the loop compiler on or off for tests and returns the previous setting.
func SetScanCompile(on bool) bool {
	old := scanCompileEnabled
	scanCompileEnabled = on
	return old
}
