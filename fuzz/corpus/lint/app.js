const port = process.env.FOUNDATION_PORT || 9000;
server.listen(9001, () => {});
const ws = new WebSocket(`ws://localhost:9000/other`);
// listen(9002)
