package fusion.judge;

/** One panel model's answer, as the judge and synthesis prompts show it. */
public record ModelAnswer(String model, String content) {}
