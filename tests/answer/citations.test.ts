import { describe, expect, it } from 'vitest'
import { citationsFor, neutraliseMarkers, trimUnfinishedMarker } from '../../src/core/answer/citations'
import { textHit } from './fixtures'

const hits = [textHit(1, 'first'), textHit(2, 'second'), textHit(3, 'third'), textHit(4, 'fourth')]
const cited = (text: string): number[] => citationsFor(text, hits).citations.map((c) => c.n)

describe('citationsFor', () => {
  it('maps each [n] to the hit the prompt numbered n, ordered by n, once each', () => {
    const result = citationsFor('Ownership moves values [3]. Borrowing lends them [1]. Again [3].', hits)
    expect(result.answer).toBe('Ownership moves values [3]. Borrowing lends them [1]. Again [3].')
    expect(result.citations.map((c) => [c.n, c.chunkId, c.text])).toEqual([
      [1, 'c1', 'first'],
      [3, 'c3', 'third']
    ])
    expect(result.droppedMarkers).toEqual([])
  })

  it('reads lists, runs and ranges, and writes them as separate [n] markers the UI can link', () => {
    expect(citationsFor('A [1, 2]. B [1][4]. C [2-4]. D [1，3]. E [2–3].', hits).answer).toBe('A [1][2]. B [1][4]. C [2][3][4]. D [1][3]. E [2][3].')
    expect(cited('C [2-4].')).toEqual([2, 3, 4])
  })

  it('reads the fullwidth brackets and digits Chinese answers use', () => {
    const result = citationsFor('所有權是一組規則［1］。值只有一個所有者【2】，見［３］。', hits)
    expect(result.answer).toBe('所有權是一組規則[1]。值只有一個所有者[2]，見[3]。')
    expect(result.citations.map((c) => c.n)).toEqual([1, 2, 3])
  })

  it('removes markers that point to no source, tidies the space they leave, and lists them', () => {
    const result = citationsFor('Supported by the study [7]. Also here [2, 9] and [0] there.', hits)
    expect(result.answer).toBe('Supported by the study. Also here [2] and there.')
    expect(result.droppedMarkers).toEqual([0, 7, 9])
    expect(result.citations.map((c) => c.n)).toEqual([2])
  })

  it('ignores brackets in inline code, fenced code and Markdown links', () => {
    const text = [
      'Index with `v[1]` or ``a[2]`` [1].',
      '```rust',
      'let x = arr[3];',
      '```',
      'See [2](https://example.com/a[4]) and ![fig [3]](img.png) [4].',
      '~~~',
      '[9]',
      '~~~'
    ].join('\n')
    const result = citationsFor(text, hits)
    expect(result.answer).toBe(text)
    expect(result.citations.map((c) => c.n)).toEqual([1, 4])
    expect(result.droppedMarkers).toEqual([])
  })

  it('treats an answer cut off inside a code block as code to the end', () => {
    expect(citationsFor('Run this [1]:\n```sh\nls [2]', hits).citations.map((c) => c.n)).toEqual([1])
  })

  it('leaves bracketed years and other large numbers alone', () => {
    const text = 'Published [2019] with ticket [12345] [2].'
    expect(citationsFor(text, hits)).toMatchObject({ answer: text, droppedMarkers: [] })
  })

  it('passes HTML in the answer through as text, unchanged', () => {
    const text = 'Beware <script>alert("x")</script> and <img src=x onerror="alert(1)"> [1].'
    expect(citationsFor(text, hits).answer).toBe(text)
  })
})

describe('marker helpers', () => {
  it("turns a source's own reference numbers into parentheses", () => {
    expect(neutraliseMarkers('As shown earlier [12], and [3, 4]; see arr[i].')).toBe('As shown earlier (12), and (3, 4); see arr[i].')
  })

  it('drops a marker cut off at the end of a partial answer', () => {
    expect(trimUnfinishedMarker('Values move [1')).toBe('Values move')
    expect(trimUnfinishedMarker('Values move [1][2, ')).toBe('Values move [1]')
    expect(trimUnfinishedMarker('Values move [1].')).toBe('Values move [1].')
  })
})
