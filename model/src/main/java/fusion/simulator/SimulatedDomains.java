package fusion.simulator;

import java.util.List;
import java.util.Locale;

/**
 * What the simulator knows about a question's domain: the aspects a careful answer covers, and for each
 * the positions an answer can take, with a figure. Panel answers pick aspects and positions from here;
 * the judge compares what the answers said and, from the same list, names the aspects none covered.
 */
final class SimulatedDomains {
    private SimulatedDomains() {}

    /** One position on an aspect; {@code %d} is the answer's figure, drawn from lo..hi. */
    record Stance(String text, int lo, int hi) {
        String with(int figure) {
            return String.format(Locale.ROOT, text, figure);
        }
    }

    /**
     * An aspect of a domain: its name (the bullet's label), the words that show a question asks about it,
     * what an answer that skips it leaves open, and the positions answers take.
     */
    record Aspect(String name, List<String> cues, String question, List<Stance> stances) {
        String label() {
            return Character.toUpperCase(name.charAt(0)) + name.substring(1);
        }

        boolean askedIn(String question) {
            String q = question.toLowerCase(Locale.ROOT);
            return cues.stream().anyMatch(q::contains);
        }
    }

    record Domain(String name, List<String> keywords, List<Aspect> aspects) {
        int score(String question) {
            String q = question.toLowerCase(Locale.ROOT);
            return (int) keywords.stream().filter(q::contains).count();
        }

        Aspect aspect(String name) {
            return aspects.stream().filter(a -> a.name().equalsIgnoreCase(name.strip())).findFirst().orElse(null);
        }
    }

    private static Aspect aspect(String name, List<String> cues, String question, Stance... stances) {
        return new Aspect(name, cues, question, List.of(stances));
    }

    private static Stance stance(String text, int lo, int hi) {
        return new Stance(text, lo, hi);
    }

    static final Domain GENERAL = new Domain("general", List.of(), List.of(
            aspect("cost", List.of("cost", "price", "expens", "afford"), "what it costs and who pays",
                    stance("the up-front cost is modest, about %d%% of the budget involved, and pays back within a few years", 2, 9),
                    stance("the up-front cost is large, around %d%% of the budget involved, and the payback is uncertain", 15, 40)),
            aspect("evidence", List.of("evidence", "research", "studies", "data", "show"), "how strong the evidence is",
                    stance("the evidence is reasonably strong: about %d well-designed studies point the same way", 8, 30),
                    stance("the evidence is thin: only %d rigorous studies exist and they disagree", 2, 6)),
            aspect("risks", List.of("risk", "failure", "downside", "danger"), "what can go wrong",
                    stance("the main risks are manageable with monitoring; serious failures occur in under %d%% of cases", 1, 5),
                    stance("the risks are underrated: roughly %d%% of comparable efforts ran into serious trouble", 15, 35)),
            aspect("implementation", List.of("implement", "roll out", "plan", "migrat", "adopt"), "how it would be carried out",
                    stance("a phased rollout over about %d months lowers the risk", 6, 18),
                    stance("a single cut-over within %d months is simpler than a long transition", 2, 5)),
            aspect("alternatives", List.of("alternative", "instead", "versus", " vs", "compare"), "what the options besides it are",
                    stance("the alternatives are weaker on balance; none beats it on more than %d of the criteria that matter", 1, 2),
                    stance("a simpler alternative gets about %d%% of the benefit at a fraction of the effort", 60, 85)),
            aspect("long-term effects", List.of("long-term", "long term", "future", "decade", "years"), "what happens after the first years",
                    stance("the long-term effects compound: benefits roughly double over %d years", 5, 15),
                    stance("the long-term effects fade: most of the gain is gone after %d years", 2, 6)),
            aspect("who is affected", List.of("who ", "people", "users", "equity", "fair"), "who gains and who loses",
                    stance("the effects are broad: about %d%% of those affected come out ahead", 60, 85),
                    stance("the gains are concentrated: about %d%% of the benefit goes to a small group", 50, 80)),
            aspect("measurement", List.of("measur", "metric", "baseline", "track"), "how success would be measured",
                    stance("success should be measured against a baseline over at least %d months", 6, 24),
                    stance("short experiments of %d weeks with a control group tell more than long observation", 4, 12))));

    static final List<Domain> ALL = List.of(
            new Domain("economics", List.of("tax", "economi", "income", "pricing", "market", "wage", "inflation", "subsid"), List.of(
                    aspect("efficiency", List.of("efficien", "growth", "output", "productiv"), "whether it raises or lowers output",
                            stance("it improves efficiency: economists estimate deadweight losses fall by about %d%%", 5, 20),
                            stance("it costs efficiency: output falls by roughly %d tenths of a percent of GDP", 2, 9)),
                    aspect("distribution", List.of("distribut", "regressive", "poor", "equity", "inequal", "fair"), "who gains and who pays",
                            stance("it is regressive before rebates: the poorest fifth pays about %d%% more of its income", 1, 4),
                            stance("with rebates it is progressive: about %d%% of households come out ahead", 55, 75)),
                    aspect("evidence", List.of("evidence", "pilot", "show", "study", "studies", "data"), "what the empirical record shows",
                            stance("the empirical record is solid: about %d natural experiments agree on the direction", 6, 20),
                            stance("the record is mixed: of %d notable pilots, about half found no measurable effect", 8, 16)),
                    aspect("behavioural response", List.of("behavio", "incentive", "employment", "work"), "how people change what they do",
                            stance("people respond strongly: demand falls about %d%% within two years", 8, 20),
                            stance("the response is small: measured changes stay under %d%%", 1, 4)),
                    aspect("political feasibility", List.of("politic", "public", "vote", "support"), "whether it can pass and survive",
                            stance("it is politically durable once in place; about %d%% of such schemes survive a change of government", 70, 90),
                            stance("it is politically fragile: about %d%% of proposals were repealed or never passed", 40, 65)),
                    aspect("administration", List.of("administ", "collect", "enforce", "implement"), "what it takes to run",
                            stance("it is cheap to administer, under %d%% of the revenue raised", 1, 3),
                            stance("it is costly to administer and enforce, near %d%% of the revenue raised", 6, 12)),
                    aspect("international effects", List.of("international", "trade", "border", "leakage", "compet"), "effects across borders",
                            stance("leakage abroad is small, about %d%% of the effect", 5, 15),
                            stance("without border adjustments, about %d%% of the effect leaks abroad", 20, 40)))),
            new Domain("software", List.of("postgres", "dynamo", "microservice", "monolith", "kafka", "kubernetes", "rust", "c++", "service",
                    "database", "api", "rewrite", "saas", "latency", "stream"), List.of(
                    aspect("cost", List.of("cost", "price", "spend"), "what it costs to build and run",
                            stance("running costs stay flat: about %d%% more than today at twice the load", 5, 20),
                            stance("running costs grow fast: expect roughly %d%% more per year at the current growth", 30, 80)),
                    aspect("operational risk", List.of("operational", "outage", "risk", "on-call", "reliab"), "what can fail in production and how often",
                            stance("operational risk falls: teams report about %d%% fewer paging incidents", 20, 50),
                            stance("operational risk rises during the change: incident rates went up about %d%% in comparable moves", 20, 60)),
                    aspect("migration", List.of("migrat", "rewrite", "split", "transition", "move"), "how to get from here to there",
                            stance("migrate incrementally behind a strangler facade, about %d components per quarter", 2, 6),
                            stance("an incremental migration drags on; plan a bounded cut-over of about %d weeks", 6, 16)),
                    aspect("failure modes", List.of("failure", "fail", "guarantee", "exactly-once", "consisten"), "how it breaks and what holds when it does",
                            stance("the dominant failure mode is partial failure between components; about %d%% of incidents start there", 40, 70),
                            stance("most failures are operator error; about %d%% of incidents follow a configuration change", 50, 80)),
                    aspect("team and hiring", List.of("team", "hiring", "engineer", "skill", "people"), "what it asks of the people who build it",
                            stance("the team can absorb it: ramp-up takes about %d weeks per engineer", 2, 8),
                            stance("it strains the team: hiring for it takes about %d months per senior role", 3, 8)),
                    aspect("performance", List.of("latency", "throughput", "performance", "fast", "speed"), "what it does to latency and throughput",
                            stance("performance improves: tail latency drops about %d%% in published benchmarks", 10, 40),
                            stance("performance is a wash: differences stay within %d%% once tuned", 3, 10)),
                    aspect("tooling", List.of("tooling", "tool", "observab", "debug", "monitor"), "what tools exist to build, debug and observe it",
                            stance("the tooling is mature: about %d widely used libraries cover the needs", 10, 40),
                            stance("the tooling is immature: expect to build about %d internal tools yourself", 2, 6)),
                    aspect("security", List.of("security", "tenant", "isolation", "access", "secure"), "isolation and access control",
                            stance("isolation is enforced by the platform, which removes about %d%% of the access bugs seen before", 30, 70),
                            stance("isolation becomes the application's job; about %d%% of reviewed setups had a leak", 10, 30)))),
            new Domain("medicine", List.of("statin", "fasting", "patient", "risk of", "trial", "clinical", "dose", "health", "ldl",
                    "weight loss", "diet", "treatment"), List.of(
                    aspect("efficacy", List.of("efficac", "effect", "work", "benefit", "show"), "how much it helps",
                            stance("trials show a clear benefit: about %d%% relative risk reduction", 15, 35),
                            stance("the benefit is small in absolute terms: about %d events avoided per 1,000 people over ten years", 5, 20)),
                    aspect("side effects", List.of("side effect", "harm", "adverse", "safety"), "what harms it brings",
                            stance("side effects are uncommon: about %d%% stop because of them", 2, 8),
                            stance("side effects are underreported in trials: in practice about %d%% report them", 10, 25)),
                    aspect("guidelines", List.of("guideline", "recommend", "differ"), "what the major guidelines say",
                            stance("the major guidelines agree on it above a risk threshold of about %d%%", 5, 10),
                            stance("the guidelines differ: thresholds range up to %d%% ten-year risk", 10, 20)),
                    aspect("quality of evidence", List.of("evidence", "randomi", "trial", "uncertain"), "how good the studies are",
                            stance("the evidence is high quality: about %d randomized trials with hard outcomes", 10, 30),
                            stance("the evidence is weaker than it looks: most of the %d trials ran under two years", 5, 20)),
                    aspect("patient preference", List.of("prefer", "shared decision", "adherence", "patient"), "what the patient values and will keep up",
                            stance("adherence is good: about %d%% still follow it after a year", 60, 80),
                            stance("adherence is the weak point: about %d%% have stopped within a year", 30, 55)),
                    aspect("long-term outcomes", List.of("long-term", "mortality", "metabolic", "years"), "what happens over decades",
                            stance("the benefit grows with time: it roughly doubles after %d years", 5, 10),
                            stance("long-term outcomes are unknown beyond about %d years of follow-up", 2, 6)),
                    aspect("cost", List.of("cost", "price", "afford"), "what it costs the patient and the system",
                            stance("it is cheap: about %d dollars a month for the generic", 3, 15),
                            stance("the costs add up in monitoring and visits, near %d dollars a year", 200, 600)))),
            new Domain("law", List.of("law", "lawful", "legal", "gdpr", "act ", "regulat", "court", "complian", "obligation", "authorit"), List.of(
                    aspect("legal basis", List.of("legal bas", "lawful", "consent", "legitimate"), "which legal basis applies",
                            stance("legitimate interest can work if the balancing test is documented; about %d%% of comparable cases relied on it", 40, 70),
                            stance("only consent is safe here; authorities rejected legitimate interest in about %d%% of comparable cases", 50, 80)),
                    aspect("obligations", List.of("obligation", "duty", "require", "must"), "what exactly must be done",
                            stance("the obligations are mainly documentation: about %d distinct duties, most of them transparency", 5, 12),
                            stance("the obligations go beyond documentation: about %d duties need technical changes", 4, 10)),
                    aspect("enforcement", List.of("enforce", "fine", "penalt", "authorit"), "how it is enforced and with what penalties",
                            stance("enforcement is slow: the first major fines came about %d years after the rules applied", 2, 5),
                            stance("enforcement is real: fines reach up to %d%% of global turnover and have been imposed", 3, 7)),
                    aspect("open questions", List.of("contested", "unclear", "disagree", "open"), "what is still contested",
                            stance("the open questions are narrow; about %d points await guidance", 2, 5),
                            stance("much is contested: regulators disagree on about %d core questions", 5, 12)),
                    aspect("data subject rights", List.of("right", "erasure", "access", "object"), "what the people concerned can demand",
                            stance("rights requests are rare in practice: about %d per million records a year", 1, 20),
                            stance("rights such as erasure are hard to honour in a trained model; about %d%% of requests cannot be met fully", 20, 60)),
                    aspect("cross-border transfer", List.of("transfer", "cross-border", "third countr", "international"), "moving data or models across borders",
                            stance("transfers are settled under the current adequacy framework for about %d%% of cases", 70, 90),
                            stance("transfers remain fragile; about %d%% of setups rely on clauses that may be struck down", 30, 60)),
                    aspect("timeline", List.of("when", "timeline", "deadline", "apply"), "when each part applies",
                            stance("most obligations already apply; the rest phase in within %d months", 6, 24),
                            stance("the timeline is slipping; expect about %d months of delay for key guidance", 6, 18)))),
            new Domain("finance", List.of("fund", "invest", "retire", "portfolio", "stock", "index", "bond", "return"), List.of(
                    aspect("fees", List.of("fee", "cost", "expense"), "what the fees take",
                            stance("fees decide most of the difference: about %d basis points a year compound into a large gap", 50, 120),
                            stance("fees matter less than behaviour; the gap is about %d basis points after tax", 10, 40)),
                    aspect("returns", List.of("return", "perform", "outperform"), "what returns to expect",
                            stance("about %d%% of active funds trail their index over 15 years", 80, 92),
                            stance("skilled managers exist: about %d%% beat their index persistently in some niches", 10, 25)),
                    aspect("risk", List.of("risk", "volatil", "drawdown"), "how much can be lost and when",
                            stance("drawdowns of about %d%% should be expected at least once in 30 years", 35, 55),
                            stance("active management cuts drawdowns by about %d points in bear markets", 3, 10)),
                    aspect("taxes", List.of("tax"), "what taxes take",
                            stance("index funds are more tax-efficient by about %d basis points a year", 20, 80),
                            stance("tax drag is similar once funds are held in tax-advantaged accounts, within %d basis points", 5, 15)),
                    aspect("behaviour", List.of("behavio", "discipline", "panic", "rebalanc"), "how investors actually behave",
                            stance("investor behaviour costs about %d basis points a year through badly timed trades", 50, 150),
                            stance("behaviour gaps shrink with automatic contributions, to under %d basis points", 10, 40)),
                    aspect("horizon", List.of("horizon", "year", "long-term"), "how the time horizon changes the choice",
                            stance("over %d years the cheapest diversified option wins in most scenarios", 20, 30),
                            stance("the horizon matters less than the savings rate; raising it by %d points does more", 2, 5)))),
            new Domain("energy", List.of("nuclear", "renewable", "coal", "grid", "solar", "wind", "energy", "power", "storage", "carbon"), List.of(
                    aspect("cost", List.of("cost", "price", "afford"), "what each option costs per unit of energy",
                            stance("new nuclear costs about %d dollars per MWh, well above wind and solar", 110, 180),
                            stance("firmed renewables cost about %d dollars per MWh once storage is counted", 70, 120)),
                    aspect("build time", List.of("build time", "schedule", "fast", "quick"), "how long it takes to build",
                            stance("nuclear takes about %d years from decision to power", 10, 17),
                            stance("wind and solar farms connect within about %d years", 1, 4)),
                    aspect("land use", List.of("land"), "how much land it needs",
                            stance("solar and wind need about %d times the land of nuclear", 10, 50),
                            stance("land use is overstated: most wind land, about %d%%, stays farmland", 90, 98)),
                    aspect("grid reliability", List.of("reliab", "grid", "stabil", "firm"), "whether the lights stay on",
                            stance("a grid above about %d%% variable renewables needs firm capacity or long storage", 60, 80),
                            stance("storage and interconnects keep grids reliable up to about %d%% renewables", 80, 95)),
                    aspect("emissions", List.of("emission", "carbon", "climate", "co2"), "how fast emissions fall",
                            stance("emissions fall fastest with renewables now: about %d%% lower within a decade", 30, 60),
                            stance("nuclear gives the deepest cut: lifecycle emissions near %d g CO2 per kWh", 4, 12)),
                    aspect("safety and waste", List.of("safety", "waste", "accident"), "accidents and waste",
                            stance("nuclear is among the safest sources, about %d deaths per TWh", 1, 3),
                            stance("waste storage is unsolved politically in about %d of the 30 nuclear countries", 20, 28)),
                    aspect("jobs and transition", List.of("jobs", "worker", "transition", "communit"), "what happens to coal workers and regions",
                            stance("the transition can keep most jobs local: about %d%% of coal workers can move to new plants", 40, 70),
                            stance("coal regions lose out: only about %d%% of jobs are replaced locally", 10, 30)))),
            new Domain("work", List.of("remote", "hybrid", "office", "productiv", "team", "engineers", "manag"), List.of(
                    aspect("productivity", List.of("productiv", "output", "perform"), "how output changes",
                            stance("productivity holds or rises: studies find about %d%% more output for focused work", 3, 13),
                            stance("productivity falls for collaborative work by about %d%% in the better studies", 4, 19)),
                    aspect("collaboration", List.of("collaborat", "communicat", "meeting"), "how people work together",
                            stance("collaboration suffers: cross-team ties fall about %d%% when fully remote", 15, 30),
                            stance("collaboration adapts: written practices recover most ties within %d months", 3, 9)),
                    aspect("hiring and retention", List.of("hiring", "retention", "attrition", "talent"), "who joins and who stays",
                            stance("flexibility cuts attrition by about a %d%% share", 20, 35),
                            stance("retention effects are small, within %d points either way", 1, 5)),
                    aspect("junior development", List.of("junior", "mentor", "learn", "onboard"), "how newcomers learn",
                            stance("juniors lose most: they get about %d%% less feedback remotely", 20, 40),
                            stance("structured mentoring closes the gap within about %d months", 3, 8)),
                    aspect("measurement problems", List.of("research", "conflict", "measur", "why"), "why the studies disagree",
                            stance("studies conflict mainly because they measure different tasks; about %d of the major studies are not comparable", 3, 8),
                            stance("the conflict comes from selection: firms that chose remote differed by about %d%% in prior output", 5, 15)),
                    aspect("cost", List.of("cost", "office space", "rent"), "what it costs the firm and the worker",
                            stance("firms save about %d%% of office costs with hybrid", 10, 30),
                            stance("savings are eaten by travel and tooling, leaving under %d%%", 2, 8)),
                    aspect("wellbeing", List.of("wellbeing", "burnout", "stress", "health"), "what it does to people",
                            stance("wellbeing improves: commute time saved averages %d minutes a day", 40, 80),
                            stance("isolation rises: about %d%% of remote workers report loneliness", 20, 40)))));

    /** The domain whose words the question uses most; the general one when none fits. */
    static Domain of(String question) {
        Domain best = GENERAL;
        int bestScore = 0;
        for (Domain d : ALL) {
            int s = d.score(question);
            if (s > bestScore) {
                best = d;
                bestScore = s;
            }
        }
        return best;
    }
}
