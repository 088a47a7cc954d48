using System.Text.RegularExpressions;
using FlexyPe.Workflows.Infrastructure;
using FlexyPe.Workflows.Model;
using FlexyPe.Workflows.Templates;
using Microsoft.EntityFrameworkCore;

namespace FlexyPe.Workflows.Sequences;

public sealed record SequenceValidation(Dictionary<string, string[]> Errors, List<TemplateProblem> TemplateProblems)
{
    public bool IsValid => Errors.Count == 0;
}

/// <summary>Creates sequences and their versions: an edit adds a version and leaves in-flight enrollments on theirs unless asked to migrate them.</summary>
public sealed partial class SequenceCatalog(WorkflowsDbContext db, StepPreviews previews, WorkflowClock clock)
{
    public Task<List<Sequence>> CurrentAsync(CancellationToken ct)
        => db.Sequences.Include(s => s.Steps).Where(s => s.IsCurrent).OrderBy(s => s.Key).ToListAsync(ct);

    public Task<Sequence?> FindAsync(string key, int? version, CancellationToken ct)
        => db.Sequences.Include(s => s.Steps)
            .Where(s => s.Key == key && (version == null ? s.IsCurrent : s.Version == version))
            .FirstOrDefaultAsync(ct);

    public SequenceValidation Validate(SequenceInput input, bool creating)
    {
        var errors = new Dictionary<string, string[]>();
        var problems = new List<TemplateProblem>();
        if (creating && (string.IsNullOrWhiteSpace(input.Key) || !KeyPattern().IsMatch(input.Key)))
        {
            errors["key"] = ["A key of lower-case letters, digits and dashes is required."];
        }
        if (string.IsNullOrWhiteSpace(input.Name))
        {
            errors["name"] = ["A name is required."];
        }
        if (input.Trigger is null || !EventTypes.Triggers.Contains(input.Trigger))
        {
            errors["trigger"] = [$"The trigger must be one of {string.Join(", ", EventTypes.Triggers)}."];
        }
        foreach (var rule in input.ExitRules ?? [])
        {
            if (!ExitRules.All.Contains(rule))
            {
                errors["exit_rules"] = [$"Unknown exit rule '{rule}'; known: {string.Join(", ", ExitRules.All)}."];
            }
        }
        if (input.Steps is not { Count: > 0 })
        {
            errors["steps"] = ["At least one step is required."];
            return new SequenceValidation(errors, problems);
        }
        for (var i = 0; i < input.Steps.Count; i++)
        {
            var step = input.Steps[i];
            var at = $"steps[{i}]";
            if (step.Delay < TimeSpan.Zero)
            {
                errors[$"{at}.delay"] = ["The delay cannot be negative."];
            }
            if (step.DelayFrom is not (null or DelayFrom.Trigger or DelayFrom.PreviousStep))
            {
                errors[$"{at}.delay_from"] = [$"delay_from is '{DelayFrom.Trigger}' or '{DelayFrom.PreviousStep}'."];
            }
            var hasCode = !string.IsNullOrWhiteSpace(step.DiscountCode);
            if (step.DiscountPercent is not null && step.DiscountAmount is not null)
            {
                errors[$"{at}.discount_percent"] = ["A discount is a percentage or an amount off, not both."];
            }
            else if ((step.DiscountPercent is not null || step.DiscountAmount is not null) && !hasCode)
            {
                errors[$"{at}.discount_code"] = ["A discount's worth needs the code the shopper enters."];
            }
            if (step.DiscountPercent is { } percent && (percent <= 0 || percent > 100))
            {
                errors[$"{at}.discount_percent"] = ["The percentage off is above 0 and at most 100."];
            }
            if (step.DiscountAmount is { } amount && amount <= 0)
            {
                errors[$"{at}.discount_amount"] = ["The amount off is above 0."];
            }
            foreach (var problem in previews.Problems(new StepDraft(step.Subject, step.PreviewText, step.Template, step.DiscountCode), i + 1))
            {
                problems.Add(problem);
                errors[$"{at}.{problem.Field}"] = [problem.Line is null ? problem.Message : $"Line {problem.Line}, column {problem.Column}: {problem.Message}"];
            }
        }
        return new SequenceValidation(errors, problems);
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken ct) => await db.Sequences.AnyAsync(s => s.Key == key, ct);

    public async Task<Sequence> CreateAsync(SequenceInput input, string actor, CancellationToken ct)
    {
        var sequence = Build(input.Key!, 1, input, actor);
        db.Sequences.Add(sequence);
        await db.SaveChangesAsync(ct);
        return sequence;
    }

    /// <summary>Adds a version; with <see cref="SequenceInput.MigrateEnrollments"/> moves active enrollments onto it.</summary>
    public async Task<(Sequence Sequence, int Migrated)> AddVersionAsync(Sequence current, SequenceInput input, string actor, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var latest = await db.Sequences.Where(s => s.Key == current.Key).MaxAsync(s => s.Version, ct);
        await db.Sequences.Where(s => s.Key == current.Key && s.IsCurrent)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.IsCurrent, false), ct);
        var next = Build(current.Key, latest + 1, input, actor);
        db.Sequences.Add(next);
        await db.SaveChangesAsync(ct);
        var migrated = input.MigrateEnrollments ? await MigrateAsync(next, ct) : 0;
        await transaction.CommitAsync(ct);
        return (next, migrated);
    }

    public async Task DisableAsync(string key, CancellationToken ct)
        => await db.Sequences.Where(s => s.Key == key && s.IsCurrent)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Enabled, false), ct);

    /// <summary>Re-plans the steps that have not run yet of every active enrollment on an older version.</summary>
    private async Task<int> MigrateAsync(Sequence next, CancellationToken ct)
    {
        var enrollments = await db.Enrollments.Include(e => e.Steps)
            .Where(e => e.SequenceKey == next.Key && e.State == EnrollmentStates.Active && e.SequenceId != next.Id)
            .ToListAsync(ct);
        foreach (var enrollment in enrollments)
        {
            var done = enrollment.Steps.Where(s => s.State != StepStates.Scheduled).Select(s => s.StepNumber).ToHashSet();
            db.ScheduledSteps.RemoveRange(enrollment.Steps.Where(s => s.State == StepStates.Scheduled));
            enrollment.SequenceId = next.Id;
            foreach (var (number, dueAt) in clock.DueTimes(next.Steps, enrollment.EnrolledAt))
            {
                if (!done.Contains(number))
                {
                    db.ScheduledSteps.Add(new ScheduledStep
                    {
                        Id = Guid.CreateVersion7(), EnrollmentId = enrollment.Id, StepNumber = number, DueAt = dueAt,
                        IdempotencyKey = ScheduledStep.KeyFor(enrollment.Id, number),
                    });
                }
            }
        }
        await db.SaveChangesAsync(ct);
        return enrollments.Count;
    }

    private Sequence Build(string key, int version, SequenceInput input, string actor)
    {
        var sequence = new Sequence
        {
            Id = Guid.CreateVersion7(), Key = key, Version = version, IsCurrent = true, Name = input.Name!.Trim(),
            Trigger = input.Trigger!, Enabled = input.Enabled ?? true, ExitRules = [.. input.ExitRules ?? []],
            CreatedAt = clock.Now, CreatedBy = actor,
        };
        var number = 1;
        foreach (var step in input.Steps!)
        {
            sequence.Steps.Add(new SequenceStep
            {
                SequenceId = sequence.Id, Number = number++, Delay = step.Delay, DelayFrom = step.DelayFrom ?? DelayFrom.Trigger,
                Subject = step.Subject!, PreviewText = string.IsNullOrWhiteSpace(step.PreviewText) ? null : step.PreviewText,
                Template = step.Template!,
                DiscountCode = string.IsNullOrWhiteSpace(step.DiscountCode) ? null : step.DiscountCode.Trim(),
                DiscountPercent = step.DiscountPercent, DiscountAmount = step.DiscountAmount,
                Enabled = step.Enabled ?? true,
            });
        }
        return sequence;
    }

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex KeyPattern();
}
