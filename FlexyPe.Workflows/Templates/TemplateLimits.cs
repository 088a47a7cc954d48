using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using Fluid;
using Fluid.Ast;
using Fluid.Values;

namespace FlexyPe.Workflows.Templates;

/// <summary>
/// What a marketer's template may cost, on top of Fluid's own step and recursion limits. Fluid turns a range such as
/// <c>(1..50000000)</c> into an array before the loop starts, so no step limit is reached until gigabytes are spent;
/// a value can double on every <c>assign</c>; and the output has no size of its own. Here a range is checked before it
/// is built, values and output have a size, and a render has a deadline, each failing with a message for the marketer.
/// </summary>
public static class TemplateLimits
{
    /// <summary>Most items a range may have; a literal range over it is refused when the template is saved.</summary>
    public const int MaxRangeItems = 1_000;

    /// <summary>Longest value an <c>assign</c> or <c>capture</c> may hold (a captured cart is a few kilobytes).</summary>
    public const int MaxValueLength = 128 * 1024;

    /// <summary>Longest rendered output (mail clients clip far shorter messages).</summary>
    public const int MaxOutputLength = 1024 * 1024;

    /// <summary>How long one render may take; a real email renders in milliseconds.</summary>
    public static readonly TimeSpan MaxRenderTime = TimeSpan.FromSeconds(2);

    private const string StartedKey = "flexype.render.started";

    /// <summary>Sets the value and deadline checks on <paramref name="options"/>.</summary>
    public static void Apply(TemplateOptions options)
    {
        options.Assigned = (name, value, context) => Checked("assign", name, value, context);
        options.Captured = (name, value, context) => Checked("capture", name, value, context);
    }

    /// <summary>The template with its ranges bounded, rendering into an output of bounded size within the deadline.</summary>
    public static IFluidTemplate Bound(IFluidTemplate parsed) => new BoundedTemplate(new RangeBounds().VisitTemplate(parsed));

    /// <summary>What a saved template breaks before it runs (a literal range too long), else null.</summary>
    public static string? Problem(IFluidTemplate parsed)
    {
        var ranges = new LiteralRanges();
        ranges.VisitTemplate(parsed);
        return ranges.Longest is { } longest && longest.Count > MaxRangeItems
            ? $"The range ({longest.From}..{longest.To}) has {longest.Count:N0} items; a range may have at most {MaxRangeItems:N0}."
            : null;
    }

    private static ValueTask<FluidValue> Checked(string what, string name, FluidValue value, TemplateContext context)
    {
        CheckDeadline(context);
        if (value is StringValue && value.ToStringValue().Length > MaxValueLength)
        {
            throw new TemplateLimitException(
                $"'{what} {name}' would hold {value.ToStringValue().Length:N0} characters; a value may have at most {MaxValueLength:N0}.");
        }
        return new ValueTask<FluidValue>(value);
    }

    private static void CheckDeadline(TemplateContext context)
    {
        if (context.AmbientValues.TryGetValue(StartedKey, out var started) && started is long timestamp
            && Stopwatch.GetElapsedTime(timestamp) > MaxRenderTime)
        {
            throw new TemplateLimitException($"The template took longer than {MaxRenderTime.TotalSeconds:N0} s to render.");
        }
    }

    /// <summary>A limit broken while rendering (an <see cref="InvalidOperationException"/>, as Fluid's own limits are).</summary>
    private sealed class TemplateLimitException(string message) : InvalidOperationException(message);

    private sealed class BoundedTemplate(IFluidTemplate inner) : IFluidTemplate
    {
        public async ValueTask RenderAsync(TextWriter writer, TextEncoder encoder, TemplateContext context)
        {
            context.AmbientValues[StartedKey] = Stopwatch.GetTimestamp();
            await inner.RenderAsync(new BoundedWriter(writer, context), encoder, context);
        }
    }

    /// <summary>Passes writes on, counting them against the output size and checking the deadline.</summary>
    private sealed class BoundedWriter(TextWriter inner, TemplateContext context) : TextWriter(CultureInfo.InvariantCulture)
    {
        private long written;

        public override Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            Count(1);
            inner.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Count(count);
            inner.Write(buffer, index, count);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Count(buffer.Length);
            inner.Write(buffer);
        }

        public override void Write(string? value)
        {
            Count(value?.Length ?? 0);
            inner.Write(value);
        }

        public override Task WriteAsync(char value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(string? value)
        {
            Write(value);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(char[] buffer, int index, int count)
        {
            Write(buffer, index, count);
            return Task.CompletedTask;
        }

        public override Task WriteAsync(ReadOnlyMemory<char> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return Task.CompletedTask;
        }

        public override void Flush() => inner.Flush();

        private void Count(int characters)
        {
            written += characters;
            if (written > MaxOutputLength)
            {
                throw new TemplateLimitException($"The template's output is longer than {MaxOutputLength:N0} characters.");
            }
            CheckDeadline(context);
        }
    }

    /// <summary>Replaces every range with one that checks its length before it builds anything.</summary>
    private sealed class RangeBounds : AstRewriter
    {
        protected override Expression VisitRangeExpression(RangeExpression rangeExpression)
            => new BoundedRange(Visit(rangeExpression.From), Visit(rangeExpression.To));
    }

    private sealed class BoundedRange(Expression from, Expression to) : Expression
    {
        public override async ValueTask<FluidValue> EvaluateAsync(TemplateContext context)
        {
            var start = (await from.EvaluateAsync(context)).ToNumberValue();
            var end = (await to.EvaluateAsync(context)).ToNumberValue();
            var count = Math.Max(0, Math.Truncate(end) - Math.Truncate(start) + 1);
            if (count > MaxRangeItems)
            {
                throw new TemplateLimitException(
                    $"The range ({start.ToString(CultureInfo.InvariantCulture)}..{end.ToString(CultureInfo.InvariantCulture)}) has {count:N0} items; a range may have at most {MaxRangeItems:N0}.");
            }
            var first = (int)Math.Truncate(start);
            var items = new FluidValue[(int)count];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = NumberValue.Create(first + i);
            }
            return new ArrayValue(items);
        }
    }

    /// <summary>Finds the longest range whose bounds are written in the template.</summary>
    private sealed class LiteralRanges : AstVisitor
    {
        public (decimal From, decimal To, decimal Count)? Longest { get; private set; }

        protected override Expression VisitRangeExpression(RangeExpression rangeExpression)
        {
            if (rangeExpression.From is LiteralExpression { Value: var from } && rangeExpression.To is LiteralExpression { Value: var to })
            {
                var (start, end) = (from.ToNumberValue(), to.ToNumberValue());
                var count = Math.Max(0, Math.Truncate(end) - Math.Truncate(start) + 1);
                if (Longest is null || count > Longest.Value.Count)
                {
                    Longest = (start, end, count);
                }
            }
            return base.VisitRangeExpression(rangeExpression);
        }
    }
}
