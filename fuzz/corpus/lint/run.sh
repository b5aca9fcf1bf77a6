#!/bin/sh
PORT=${RECORDING_PORT:-9010}
python -m http.server 9011 &
curl "http://localhost:$PORT/health"
