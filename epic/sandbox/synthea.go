package sandbox

func loadDataDir(st *store, dir string) (LoadReport, error) {
	return LoadReport{}, nil
}
