"use client";

import { useState } from "react";

/** A slider over an account's stream positions, submitted as ?position=N by its GET form. */
export function PositionSlider({ max, value }: { max: number; value: number }) {
  const [position, setPosition] = useState(value);
  return (
    <div className="field slider-field">
      <label htmlFor="history-position">Stream position</label>
      <div className="slider-row">
        <input
          id="history-position"
          name="position"
          type="range"
          min={0}
          max={max}
          step={1}
          value={position}
          onChange={(event) => setPosition(Number(event.target.value))}
          aria-valuetext={`Position ${position} of ${max}`}
        />
        <output htmlFor="history-position" className="mono" aria-hidden="true">
          {position} / {max}
        </output>
      </div>
    </div>
  );
}
