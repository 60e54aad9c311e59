#:sdk Microsoft.NET.Sdk.Web
#:property TreatWarningsAsErrors=false
#:property PublishAot=false

// A loopback server for bench/auto.sh: every host name (the Host header) may have LIMIT requests in
// flight; one more is answered 429 at once, as rate-limited sites do. A request within the limit gets
// a small page after DELAY ms. Prints the 429s and 200s it sent when stopped.
// Usage: dotnet run bench/throttle-server.cs -- PORT LIMIT DELAY_MS
using System.Collections.Concurrent;
using System.Net;

int port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
int limit = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
int delay = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var inFlight = new ConcurrentDictionary<string, StrongBox<int>>(StringComparer.OrdinalIgnoreCase);
var builder = WebApplication.CreateSlimBuilder();
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
var app = builder.Build();
app.MapGet("/ready", () => "ok");
app.Run(async context =>
{
    var count = inFlight.GetOrAdd(context.Request.Host.Host, _ => new StrongBox<int>());
    try
    {
        if (Interlocked.Increment(ref count.Value) > limit)
        {
            context.Response.StatusCode = 429;
            return;
        }
        await Task.Delay(delay, context.RequestAborted);
        context.Response.ContentType = "text/html";
        await context.Response.WriteAsync("<html><body>" + new string('x', 1024) + "</body></html>");
    }
    finally
    {
        Interlocked.Decrement(ref count.Value);
    }
});
Console.WriteLine($"listening on http://127.0.0.1:{port}");
app.Run();

sealed class StrongBox<T> { public T Value = default!; }
