#:sdk Microsoft.NET.Sdk.Web
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

// A loopback server for the strategy bench: GET /delay/{ms}/{n} answers a small HTML page after
// ms milliseconds of server think time. Usage: dotnet run bench/delay-server.cs -- PORT
using System.Net;

int port = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 18180;
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
var app = builder.Build();
app.MapGet("/delay/{ms:int}/{n:int}", async (int ms, int n, CancellationToken ct) =>
{
    await Task.Delay(ms, ct);
    return Results.Content($"<html><head><title>page {n}</title></head><body>{new string('x', 2048)}</body></html>", "text/html");
});
app.MapGet("/ready", () => "ok");
Console.WriteLine($"listening on http://127.0.0.1:{port}");
app.Run();
