	fn main() { let l = TcpListener::bind("127.0.0.1:9010"); let p = env::var("RECORDING_PORT"); }
