const port: number = Number(process.env.PORT ?? 9020);
app.listen(port);
