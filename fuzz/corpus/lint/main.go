package main
func main() { http.ListenAndServe(":9010", nil); _ = os.Getenv("RECORDING_PORT") }
