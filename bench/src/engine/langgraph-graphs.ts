import {
  Annotation,
  END,
  START,
  StateGraph,
  interrupt,
  type BaseCheckpointSaver,
} from '@langchain/langgraph';

// LangGraph's own idiom for the same work: a state with reducers, one node, a conditional edge.
const Linear = Annotation.Root({
  count: Annotation<number>({ reducer: (_a, b) => b, default: () => 0 }),
  items: Annotation<string[]>({ reducer: (a, b) => a.concat(b), default: () => [] }),
});

export function lgLinear(steps: number, grow: boolean, checkpointer?: BaseCheckpointSaver) {
  return new StateGraph(Linear)
    .addNode('step', (s) =>
      grow ? { count: s.count + 1, items: [`${s.count + 1}:${'x'.repeat(296)}`] } : { count: s.count + 1 },
    )
    .addEdge(START, 'step')
    .addConditionalEdges('step', (s) => (s.count >= steps ? END : 'step'))
    .compile(checkpointer ? { checkpointer } : {});
}

const Approval = Annotation.Root({
  result: Annotation<string>({ reducer: (_a, b) => b, default: () => '' }),
});

/** Parks with interrupt() before the gated effect, resumed with Command({ resume }). */
export function lgApproval(checkpointer: BaseCheckpointSaver, effects: { n: number }) {
  return new StateGraph(Approval)
    .addNode('act', () => {
      const decision = interrupt({ tool: 'deploy', args: { v: 1 } });
      if (decision === 'approved') effects.n += 1;
      return { result: decision === 'approved' ? 'deployed' : 'rejected' };
    })
    .addEdge(START, 'act')
    .addEdge('act', END)
    .compile({ checkpointer });
}
