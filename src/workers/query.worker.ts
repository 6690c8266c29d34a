/**
 * Query worker: answers one question per task (core does the work), streaming hits and tokens
 * back through the MessagePort that travels in the task's transferList. Several questions share a
 * thread, since answering mostly waits on the model.
 */
import { prepareLibrary, runQuery, type PrepareOutcome, type PrepareTask, type QueryTask } from '../core/app/query'

export default function answerQuestionTask(task: QueryTask): Promise<void> {
  return runQuery(task)
}

/** Run once at launch (task name `prepare`): loads the library before the first question. */
export function prepare(task: PrepareTask): Promise<PrepareOutcome> {
  return prepareLibrary(task)
}
