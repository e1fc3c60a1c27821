/** The stand-in charge: notes when it started, then takes a PG's mean latency. */
export function createPipelineActivities(startedAt: Map<string, number>) {
  return {
    async charge(id: string): Promise<string> {
      startedAt.set(id, Date.now());
      await new Promise((resolve) => setTimeout(resolve, 200));
      return id;
    },
  };
}
